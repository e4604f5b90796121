using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Oaims.Service.Memory;
using Oaims.Service.V1;
using static Oaims.Service.Tests.TestImages;

namespace Oaims.Service.Tests;

/// <summary>Servers of their own with a short upload idle limit or few upload slots, to run into them on purpose.</summary>
public sealed class UploadLimitTests : IAsyncLifetime
{
    readonly string _root = Path.Combine(Path.GetTempPath(), $"oaims-uploads-{Guid.NewGuid():N}");
    RunningSidecar _server = null!;
    GrpcChannel _channel = null!;
    Segmentation.SegmentationClient _client = null!;

    async Task StartAsync(ServiceLimits limits)
    {
        _server = await SidecarHost.StartAsync(ServerFixture.Options(_root, limits));
        _channel = GrpcChannel.ForAddress(_server.Address);
        _client = new Segmentation.SegmentationClient(_channel);
    }

    // An upload of a 64x64x4 float32 image that has sent its header and a first chunk, then nothing more.
    async Task<AsyncClientStreamingCall<UploadImageRequest, ImageRef>> StartUploadAsync()
    {
        var call = _client.UploadImage();
        await call.RequestStream.WriteAsync(new UploadImageRequest { Header = Header([64, 64, 4]) });
        await call.RequestStream.WriteAsync(new UploadImageRequest { Data = ByteString.CopyFrom(new byte[1000]) });
        return call;
    }

    [Fact]
    public async Task An_upload_that_sends_nothing_for_the_idle_limit_is_aborted_and_gives_its_memory_back()
    {
        await StartAsync(ServerFixture.TestLimits with { UploadIdleSeconds = 1 });
        long before = _server.Sidecar.Budget.UsedBytes;
        using var call = await StartUploadAsync();

        var e = await Refusals.Expect(StatusCode.Aborted, () => call.ResponseAsync.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains("sent nothing for 1 s", e.Status.Detail);
        Assert.Equal(0, _server.Sidecar.Budget.Used(MemoryUse.Uploads));
        Assert.Equal(before, _server.Sidecar.Budget.UsedBytes);
        Assert.Equal(0, _server.Sidecar.Uploads.InUse);
    }

    [Fact]
    public async Task An_http_upload_that_sends_nothing_for_the_idle_limit_is_409_ABORTED_and_gives_its_memory_back()
    {
        await StartAsync(ServerFixture.TestLimits with { UploadIdleSeconds = 1 });
        using var upload = await RawHttpUpload.StartAsync(_server.UploadAddress!, Header([64, 64, 4]), 64 * 64 * 4 * 4);
        Assert.Equal(100, (await upload.ReadReplyAsync()).Status);
        await upload.SendAsync(new byte[1000]);

        var reply = await upload.ReadReplyAsync();
        Assert.Equal(409, reply.Status);
        Assert.Equal("ABORTED", reply.Code);
        Assert.Contains("sent nothing for 1 s", reply.Text);
        Assert.Equal(0, _server.Sidecar.Budget.Used(MemoryUse.Uploads));
        Assert.Equal(0, _server.Sidecar.Uploads.InUse);
    }

    [Fact]
    public async Task Uploads_beyond_the_concurrent_limit_are_resource_exhausted_until_one_finishes()
    {
        await StartAsync(ServerFixture.TestLimits with { MaxConcurrentUploads = 2 });
        using var first = await StartUploadAsync();
        using var second = await StartUploadAsync();
        for (int n = 0; n < 100 && _server.Sidecar.Uploads.InUse < 2; n++) await Task.Delay(20);

        var e = await Refusals.Expect(StatusCode.ResourceExhausted, () => RawUploadAsync(_client, Header([2, 2, 1]), Float32Payload(1, 2, 3, 4)));
        Assert.Contains("2 uploads at once", e.Status.Detail);

        await first.RequestStream.CompleteAsync();
        await Refusals.Expect(StatusCode.InvalidArgument, () => first.ResponseAsync); // cut short: it ends, and frees its slot
        Assert.Equal([2, 2, 1], (await RawUploadAsync(_client, Header([2, 2, 1]), Float32Payload(1, 2, 3, 4))).Dims);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _channel?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
