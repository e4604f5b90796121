using System.Diagnostics;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Oaims.Imaging;
using Oaims.Service.Images;
using Oaims.Service.V1;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Oaims.Cli;

/// <summary>
/// The C# client of the OAIMS sidecar, used by the CLI's remote mode (`oaims demo --server URL`): uploads an image once
/// (skipping the upload when the server already holds its fingerprint), opens a session, clicks, undoes, commits, fetches
/// the mask. Calls that are safe to repeat (capabilities, upload, open, mask, listings) are retried on UNAVAILABLE with
/// exponential backoff under an overall deadline, so a client started together with its server waits for it; clicks,
/// undo and commit change the model and are never repeated behind the user's back.
/// </summary>
public sealed class RemoteClient : IDisposable
{
    readonly GrpcChannel _channel;
    readonly ResiliencePipeline _retry;

    public RemoteClient(Uri address, string? token = null, TimeSpan? retryDeadline = null, int maxMessageBytes = 64 << 20)
    {
        Address = address;
        _channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { MaxReceiveMessageSize = maxMessageBytes, MaxSendMessageSize = maxMessageBytes });
        CallInvoker invoker = _channel.CreateCallInvoker();
        if (!string.IsNullOrEmpty(token))
            invoker = invoker.Intercept(metadata => { metadata.Add("authorization", $"Bearer {token}"); return metadata; });
        Segmentation = new Segmentation.SegmentationClient(invoker);
        Workspaces = new Workspaces.WorkspacesClient(invoker);
        _retry = new ResiliencePipelineBuilder()
            .AddTimeout(retryDeadline ?? TimeSpan.FromSeconds(60)) // the overall deadline, across every attempt
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<RpcException>(e => e.StatusCode == StatusCode.Unavailable),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(5),
                MaxRetryAttempts = 1000, // bounded by the deadline
            })
            .Build();
    }

    public Uri Address { get; }
    public Segmentation.SegmentationClient Segmentation { get; }
    public Workspaces.WorkspacesClient Workspaces { get; }

    /// <summary>Runs a call that is safe to repeat, retrying UNAVAILABLE until the overall deadline.</summary>
    public async Task<T> Retrying<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellation = default)
    {
        try
        {
            return await _retry.ExecuteAsync(async token => await call(token), cancellation);
        }
        catch (TimeoutRejectedException e)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"The OAIMS server at {Address} did not answer within {e.Timeout.TotalSeconds:F0} s (is `oaims serve` running there?)."));
        }
    }

    public Task<Capabilities> CapabilitiesAsync(CancellationToken cancellation = default) =>
        Retrying(t => Segmentation.GetCapabilitiesAsync(new GetCapabilitiesRequest(), cancellationToken: t).ResponseAsync, cancellation);

    /// <summary>Uploads the image as float32 unless the server already has its content; returns the server's reference.</summary>
    public Task<ImageRef> UploadAsync(Volume image, string? name = null, int chunkBytes = 1 << 20, CancellationToken cancellation = default)
    {
        var (header, payload) = Encode(image, name);
        return Retrying(async t =>
        {
            var known = await Segmentation.FindImageAsync(new FindImageRequest { ImageId = header.Fingerprint }, cancellationToken: t);
            if (known.Known) return known.Image;
            using var call = Segmentation.UploadImage(cancellationToken: t);
            await call.RequestStream.WriteAsync(new UploadImageRequest { Header = header }, t);
            for (int offset = 0; offset < payload.Length; offset += chunkBytes)
                await call.RequestStream.WriteAsync(new UploadImageRequest { Data = ByteString.CopyFrom(payload, offset, Math.Min(chunkBytes, payload.Length - offset)) }, t);
            await call.RequestStream.CompleteAsync();
            return await call.ResponseAsync;
        }, cancellation);
    }

    /// <summary>The header (with its fingerprint) and the float32 little-endian planar payload of a volume.</summary>
    public static (ImageHeader Header, byte[] Payload) Encode(Volume image, string? name = null)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("The upload encoder assumes a little-endian machine.");
        int voxels = checked((int)image.VoxelCount);
        var payload = new byte[checked(voxels * image.ChannelCount * sizeof(float))];
        for (int c = 0; c < image.ChannelCount; c++)
            MemoryMarshal.AsBytes(image.Channels[c].AsSpan()).CopyTo(payload.AsSpan(c * voxels * sizeof(float)));
        var header = new ImageHeader { Channels = image.ChannelCount, VoxelType = Service.V1.VoxelType.Float32, Name = name ?? "" };
        header.Dims.Add(image.Dims);
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 4; c++) header.IjkToRas.Add(image.IjkToRas[r, c]);
        var description = new ImageDescription(image.Dims, image.ChannelCount, UploadVoxelType.Float32, header.IjkToRas.ToArray(), null, name);
        header.Fingerprint = ImageFingerprint.Of(description, payload);
        return (header, payload);
    }

    public Task<SessionInfo> OpenSessionAsync(string workspace, string imageId, int targetClass, int leaseSeconds = 0, CancellationToken cancellation = default) =>
        Retrying(t => Segmentation.OpenSessionAsync(new OpenSessionRequest { Workspace = workspace, ImageId = imageId, TargetClass = targetClass, LeaseSeconds = leaseSeconds }, cancellationToken: t).ResponseAsync, cancellation);

    /// <summary>One click: the first mask (also given to <paramref name="onFirstMask"/> as it arrives), the adaptation steps as they
    /// stream in (each also given to <paramref name="onStep"/>), the refined mask when the weights changed, and the summary.</summary>
    public async Task<ClickReply> ClickAsync(string sessionId, Click click, Action<AdaptationStep>? onStep = null, DateTime? deadline = null,
                                             CancellationToken cancellation = default, Action<MaskUpdate>? onFirstMask = null)
    {
        var clock = Stopwatch.StartNew();
        using var call = Segmentation.Interact(new InteractRequest { SessionId = sessionId, Click = click }, deadline: deadline, cancellationToken: cancellation);
        var steps = new List<AdaptationStep>();
        MaskUpdate? first = null, mask = null;
        double firstAt = 0;
        InteractSummary? done = null;
        await foreach (var e in call.ResponseStream.ReadAllAsync(cancellation))
        {
            switch (e.EventCase)
            {
                case InteractEvent.EventOneofCase.Step: steps.Add(e.Step); onStep?.Invoke(e.Step); break;
                case InteractEvent.EventOneofCase.Mask when first is null:
                    first = mask = e.Mask;
                    firstAt = clock.Elapsed.TotalMilliseconds;
                    onFirstMask?.Invoke(e.Mask);
                    break;
                case InteractEvent.EventOneofCase.Mask: mask = e.Mask; break;
                case InteractEvent.EventOneofCase.Done: done = e.Done; break;
            }
        }
        if (first is null || mask is null || done is null) throw new InvalidDataException("The server ended the click's stream without its mask or summary.");
        return new ClickReply(steps, mask, done, clock.Elapsed.TotalMilliseconds, first, firstAt);
    }

    public async Task<UndoResponse> UndoAsync(string sessionId, CancellationToken cancellation = default) =>
        await Segmentation.UndoAsync(new UndoRequest { SessionId = sessionId }, cancellationToken: cancellation);

    /// <summary>Commits the session's mask: the post-interaction steps as they stream in, then the summary.</summary>
    public Task<CommitReply> CommitAsync(string sessionId, Action<AdaptationStep>? onStep = null, CancellationToken cancellation = default) =>
        CommitAsync(new CommitRequest { SessionId = sessionId }, onStep, cancellation);

    /// <summary>A commit as the request says (e.g. with the user's final mask): the post-interaction steps as they stream in, then the summary.</summary>
    public async Task<CommitReply> CommitAsync(CommitRequest request, Action<AdaptationStep>? onStep = null, CancellationToken cancellation = default)
    {
        using var call = Segmentation.Commit(request, cancellationToken: cancellation);
        var steps = new List<AdaptationStep>();
        CommitSummary? done = null;
        await foreach (var e in call.ResponseStream.ReadAllAsync(cancellation))
        {
            if (e.EventCase == CommitEvent.EventOneofCase.Step) { steps.Add(e.Step); onStep?.Invoke(e.Step); }
            else if (e.EventCase == CommitEvent.EventOneofCase.Done) done = e.Done;
        }
        return new CommitReply(steps, done ?? throw new InvalidDataException("The server ended the commit's stream without its summary."));
    }

    /// <summary>The whole label volume (i fastest), rebuilt from its chunks.</summary>
    public Task<RemoteMask> GetMaskAsync(string sessionId, int maxVoxelsPerChunk = 0, CancellationToken cancellation = default) =>
        Retrying(async t =>
        {
            using var call = Segmentation.GetMask(new GetMaskRequest { SessionId = sessionId, MaxVoxelsPerChunk = maxVoxelsPerChunk }, cancellationToken: t);
            RemoteMask? mask = null;
            await foreach (var chunk in call.ResponseStream.ReadAllAsync(t))
            {
                mask ??= new RemoteMask(chunk.Dims.ToArray());
                mask.Apply(chunk.Delta);
            }
            return mask ?? throw new InvalidDataException("The server sent no mask chunk.");
        }, cancellation);

    public async Task<CloseSessionResponse> CloseSessionAsync(string sessionId, CancellationToken cancellation = default) =>
        await Segmentation.CloseSessionAsync(new CloseSessionRequest { SessionId = sessionId }, cancellationToken: cancellation);

    public void Dispose() => _channel.Dispose();
}
