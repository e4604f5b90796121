using System.Diagnostics;
using global::Grpc.Core;
using Microsoft.Extensions.Logging;
using Oaims.Interaction;
using Oaims.Learning.Adaptation;
using Oaims.Service.Sessions;
using Oaims.Service.V1;
using Oaims.Service.Workspaces;

namespace Oaims.Service.Grpc;

/// <summary>The Segmentation service: wire messages in, calls on the <see cref="Sidecar"/>, wire messages out.</summary>
public sealed class SegmentationService(Sidecar sidecar, ILogger<SegmentationService> log) : Segmentation.SegmentationBase
{
    public override Task<Capabilities> GetCapabilities(GetCapabilitiesRequest request, ServerCallContext context)
    {
        var capabilities = new Capabilities
        {
            ServerVersion = Sidecar.Version, Device = sidecar.DeviceName, Limits = Wire.ToWire(sidecar.Limits),
            TokenRequired = !string.IsNullOrEmpty(sidecar.Options.Token), HttpUploadPort = sidecar.HttpUploadPort,
        };
        capabilities.Models.Add(sidecar.Models.Select(Wire.ToWire));
        capabilities.Strategies.Add(AdaptationStrategies.Names);
        capabilities.Workspaces.Add(sidecar.Workspaces.Select(w => w.Name));
        return Task.FromResult(capabilities);
    }

    public override Task<FindImageResponse> FindImage(FindImageRequest request, ServerCallContext context)
    {
        var image = sidecar.Images.Find(request.ImageId);
        return Task.FromResult(image is null ? new FindImageResponse() : new FindImageResponse { Known = true, Image = Wire.ToWire(image, true) });
    }

    public override async Task<ImageRef> UploadImage(IAsyncStreamReader<UploadImageRequest> requestStream, ServerCallContext context)
    {
        using var slot = sidecar.Uploads.Take();
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        if (!await NextWithinIdleLimit(requestStream, idle, context, 0))
            throw new ArgumentException("The upload is empty: the first message must carry the image header.");
        if (requestStream.Current.PartCase != UploadImageRequest.PartOneofCase.Header)
            throw new ArgumentException("The first upload message must carry the image header (dims, channels, voxel type), not data.");
        var description = Wire.FromWire(requestStream.Current.Header);
        using var upload = sidecar.BeginUpload(description);
        while (await NextWithinIdleLimit(requestStream, idle, context, upload.Received))
        {
            if (requestStream.Current.PartCase != UploadImageRequest.PartOneofCase.Data)
                throw new ArgumentException("Only the first upload message may carry a header; the following ones carry data.");
            upload.Append(requestStream.Current.Data.Span);
        }
        var (image, known) = sidecar.CompleteUpload(upload, description);
        return Wire.ToWire(image, known);
    }

    // A client that stops sending must not hold its upload slot and buffer for ever: each message has to come within the idle limit.
    async Task<bool> NextWithinIdleLimit(IAsyncStreamReader<UploadImageRequest> requestStream, CancellationTokenSource idle, ServerCallContext context, long received)
    {
        int seconds = sidecar.Limits.UploadIdleSeconds;
        idle.CancelAfter(TimeSpan.FromSeconds(seconds));
        try { return await requestStream.MoveNext(idle.Token); }
        catch (OperationCanceledException) when (idle.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            log.LogWarning("Upload abandoned after {IdleSeconds} s without a message ({Received} bytes received)", seconds, received);
            throw new UploadStalledException($"The upload sent nothing for {seconds} s and was abandoned after {received} bytes; nothing was stored. Upload the image again.");
        }
    }

    public override Task<SessionInfo> OpenSession(OpenSessionRequest request, ServerCallContext context) =>
        Task.FromResult(Wire.ToWire(sidecar.OpenSession(request.Workspace, request.ImageId, request.TargetClass, request.LeaseSeconds,
            Wire.FromWire(request.InitialMask, "the initial mask"), fieldOfView: request.FieldOfView)));

    public override Task<SessionInfo> Heartbeat(HeartbeatRequest request, ServerCallContext context) =>
        Task.FromResult(Wire.ToWire(sidecar.Session(request.SessionId)));

    public override async Task Interact(InteractRequest request, IServerStreamWriter<InteractEvent> responseStream, ServerCallContext context)
    {
        long started = Stopwatch.GetTimestamp();
        var session = sidecar.Session(request.SessionId);
        var click = session.Validate(Wire.FromWire(request.Click));
        double firstMaskAt = 0;
        // The first mask is written as soon as the worker has it; the steps follow while the worker computes them.
        var work = await StepRelay.RelayAsync<WorkResult<ClickResult>, InteractEvent>(
            emit => sidecar.OnSessionAsync(session.Id, s => s.Click(click, step => emit(new InteractEvent { Step = Wire.ToWire(step) }),
                                                                     mask => emit(MaskEvent(mask))), context.CancellationToken),
            responseStream, e => { if (e.EventCase == InteractEvent.EventOneofCase.Mask) firstMaskAt = Stopwatch.GetElapsedTime(started).TotalMilliseconds; });
        var result = work.Value;
        if (result.Refined is { } refined) await responseStream.WriteAsync(MaskEvent(refined));
        double total = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var latency = Wire.Latency(work.QueueMilliseconds, result.Outcome.ForwardMilliseconds, result.Outcome.AdaptationMilliseconds, result.EncodeMilliseconds, total);
        await responseStream.WriteAsync(new InteractEvent
        {
            Done = new InteractSummary
            {
                ClickCount = result.ClickCount, ModelVersion = result.ModelVersion, Latency = latency,
                TimeToFirstMaskMs = firstMaskAt, TimeToDoneMs = total, Refined = result.Refined is not null,
            },
        });
        log.LogInformation(
            "Click {ClickIndex} in session {SessionId} (workspace {Workspace}, axis {Axis} slice {Slice}, class {Class}): {Steps} step(s), version {ModelVersion}, refined {Refined}; " +
            "first mask {FirstMaskMs:F1} ms, queue {QueueMs:F1} ms, forward {ForwardMs:F1} ms, adaptation {AdaptationMs:F1} ms, encode {EncodeMs:F1} ms, total {TotalMs:F1} ms",
            result.ClickCount, session.Id, session.Workspace.Name, result.Outcome.Axis, result.Outcome.Slice, click.Class, result.Outcome.Steps.Count, result.ModelVersion,
            result.Refined is not null, firstMaskAt, latency.QueueMs, latency.ForwardMs, latency.AdaptationMs, latency.EncodeMs, latency.TotalMs);
    }

    static InteractEvent MaskEvent(ClickMask mask) =>
        new() { Mask = new MaskUpdate { Delta = Wire.ToWire(mask.Delta), Axis = mask.Axis, Slice = mask.Slice, Refined = mask.Refined } };

    public override async Task<UndoResponse> Undo(UndoRequest request, ServerCallContext context)
    {
        var work = await sidecar.OnSessionAsync(request.SessionId, s => s.Undo(), context.CancellationToken);
        var reply = Wire.ToWire(work.Value);
        if (reply.Weights == V1.UndoWeights.Kept)
            log.LogWarning("Undo in session {SessionId}: mask taken back, weights kept because {KeptBecause}; {ClickCount} click(s) left, version {ModelVersion}",
                request.SessionId, reply.WeightsKeptReason, reply.ClickCount, reply.ModelVersion);
        else
            log.LogInformation("Undo in session {SessionId}: {Outcome}, weights {UndoWeights}, {ClickCount} click(s) left, version {ModelVersion}",
                request.SessionId, reply.Undone ? "click taken back" : "nothing to undo", reply.Weights, reply.ClickCount, reply.ModelVersion);
        return reply;
    }

    public override async Task Commit(CommitRequest request, IServerStreamWriter<CommitEvent> responseStream, ServerCallContext context)
    {
        long started = Stopwatch.GetTimestamp();
        var session = sidecar.Session(request.SessionId);
        var finalMask = Wire.FromWire(request.FinalMask, "the final mask");
        var work = await StepRelay.RunAsync(
            report => sidecar.CommitAsync(session.Id, report, context.CancellationToken, finalMask),
            responseStream, step => new CommitEvent { Step = Wire.ToWire(step) });
        var steps = work.Value.Steps;
        double adaptation = steps.Sum(s => s.Milliseconds), total = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var summary = new CommitSummary
        {
            ModelVersion = work.Value.ModelVersion, StepsApplied = steps.Count(s => s.Applied), DatastoreLabelVersion = work.Value.DatastoreLabelVersion ?? 0,
            Latency = Wire.Latency(work.QueueMilliseconds, 0, adaptation, 0, total),
        };
        await responseStream.WriteAsync(new CommitEvent { Done = summary });
        log.LogInformation("Commit of session {SessionId} (workspace {Workspace}, {ClickCount} clicks, final mask in {FinalMaskBoxes} box(es)): {Steps} step(s), {Applied} applied, version {ModelVersion}; queue {QueueMs:F1} ms, adaptation {AdaptationMs:F1} ms, total {TotalMs:F1} ms",
            session.Id, session.Workspace.Name, session.ClickCount, request.FinalMask.Count, steps.Count, summary.StepsApplied, summary.ModelVersion, work.QueueMilliseconds, adaptation, total);
    }

    public override async Task GetMask(GetMaskRequest request, IServerStreamWriter<MaskChunk> responseStream, ServerCallContext context)
    {
        if (request.MaxVoxelsPerChunk < 0) throw new ArgumentException($"max_voxels_per_chunk must be 0 (the default) or positive, got {request.MaxVoxelsPerChunk}.");
        var session = sidecar.Session(request.SessionId);
        var labels = (await sidecar.OnSessionAsync(session.Id, s => s.CopyLabels(), context.CancellationToken)).Value;
        // Smaller requests are raised to the minimum; the server's own chunk size stays the upper bound.
        int perChunk = request.MaxVoxelsPerChunk == 0 ? sidecar.Limits.MaskChunkVoxels
            : Math.Min(Math.Max(request.MaxVoxelsPerChunk, ServiceLimits.MinMaskChunkVoxels), sidecar.Limits.MaskChunkVoxels);
        int index = 0;
        foreach (var chunk in MaskChunks.Encode<byte>(labels, session.Shape, perChunk))
        {
            var message = new MaskChunk { Delta = Wire.ToWire(chunk), Index = index++ };
            message.Dims.Add(session.Dims);
            await responseStream.WriteAsync(message, context.CancellationToken);
        }
    }

    public override async Task<CloseSessionResponse> CloseSession(CloseSessionRequest request, ServerCallContext context)
    {
        var session = await sidecar.CloseSessionAsync(request.SessionId, context.CancellationToken);
        return new CloseSessionResponse { ClickCount = session.ClickCount, Committed = session.Committed };
    }
}
