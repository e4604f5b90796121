using Grpc.Core;
using Grpc.Net.Client;
using Oaims.Service.Memory;
using Oaims.Service.V1;
using static Oaims.Service.Tests.TestImages;

namespace Oaims.Service.Tests;

/// <summary>
/// Servers of their own whose memory budget holds the two tiny default workspaces, one 64x64x16 float32 image and
/// two sessions on it with a little to spare (what the workspaces hold is read from the shared server).
/// </summary>
[Collection("server")]
public sealed class MemoryBudgetTests(ServerFixture shared) : IAsyncLifetime
{
    static readonly int[] Dims = [64, 64, 16];
    const long ImageBytes = 64 * 64 * 16 * sizeof(float);
    const long SessionBytes = 64 * 64 * 16 * (sizeof(float) + 2); // normalised copy, labels, labels as sent

    readonly string _root = Path.Combine(Path.GetTempPath(), $"oaims-memory-{Guid.NewGuid():N}");
    long _workspaces;
    RunningSidecar _server = null!;
    Cli.RemoteClient _client = null!;
    GrpcChannel _channel = null!;
    Segmentation.SegmentationClient _raw = null!;

    MemoryBudget Budget => _server.Sidecar.Budget;

    public async Task InitializeAsync()
    {
        var sidecar = shared.Server.Sidecar;
        _workspaces = sidecar.Workspace(TinyModels.Brain).MemoryBytes + sidecar.Workspace(TinyModels.Rgb).MemoryBytes;
        var limits = ServerFixture.TestLimits with { MemoryBudgetBytes = _workspaces + ImageBytes + 2 * SessionBytes + SessionBytes / 5 };
        _server = await SidecarHost.StartAsync(ServerFixture.Options(_root, limits));
        _client = new Cli.RemoteClient(_server.Address);
        _channel = GrpcChannel.ForAddress(_server.Address);
        _raw = new Segmentation.SegmentationClient(_channel);
    }

    async Task<string> UploadAsync(int seed)
    {
        var voxels = Enumerable.Range(0, 64 * 64 * 16).Select(i => (float)((i * 31 + seed * 7919) % 1000)).ToArray();
        var payload = Float32Payload(voxels);
        var header = Header(Dims);
        var chunks = payload.Chunk(ServerFixture.TestLimits.UploadChunkBytes).ToArray();
        return (await RawUploadAsync(_raw, header, chunks)).ImageId;
    }

    async Task<bool> KnownAsync(string imageId) => (await _raw.FindImageAsync(new FindImageRequest { ImageId = imageId })).Known;

    [Fact]
    public async Task Uploads_beyond_the_budget_evict_the_least_recently_used_images()
    {
        string first = await UploadAsync(0), second = await UploadAsync(1);
        Assert.True(await KnownAsync(first)); // used again: now the second is the oldest
        string third = await UploadAsync(2), fourth = await UploadAsync(3);

        Assert.False(await KnownAsync(second));
        foreach (string kept in new[] { first, third, fourth }) Assert.True(await KnownAsync(kept));
        Assert.Equal(3 * ImageBytes, Budget.Used(MemoryUse.Images));
        Assert.True(Budget.UsedBytes <= Budget.CapacityBytes);
    }

    [Fact]
    public async Task A_session_that_does_not_fit_even_after_evicting_is_refused_and_changes_nothing()
    {
        string image = await UploadAsync(0);
        await _client.OpenSessionAsync(TinyModels.Brain, image, 1);
        await _client.OpenSessionAsync(TinyModels.Brain, image, 1);
        long used = Budget.UsedBytes;

        var e = await Refusals.Expect(StatusCode.ResourceExhausted, () => _client.OpenSessionAsync(TinyModels.Brain, image, 1));
        Assert.Contains($"needs {MemoryBudget.Size(SessionBytes)}", e.Status.Detail);
        Assert.Contains("budget", e.Status.Detail);
        Assert.Equal(2, _server.Sidecar.Sessions.Count);
        Assert.Equal(used, Budget.UsedBytes);
        Assert.True(await KnownAsync(image)); // evicting it would not have made room: it stays
    }

    [Fact]
    public async Task Memory_returns_to_where_it_started_after_sessions_close()
    {
        string image = await UploadAsync(0);
        long before = Budget.UsedBytes;
        var sessions = new[] { await _client.OpenSessionAsync(TinyModels.Brain, image, 1), await _client.OpenSessionAsync(TinyModels.Brain, image, 1) };
        Assert.Equal(before + 2 * SessionBytes, Budget.UsedBytes);
        foreach (var session in sessions)
        {
            await _client.ClickAsync(session.SessionId, new Click { Axis = 2, I = 30, J = 30, K = 8, Positive = true });
            await _client.CloseSessionAsync(session.SessionId);
        }
        Assert.Equal(before, Budget.UsedBytes);
    }

    [Fact]
    public async Task An_expired_session_gives_its_memory_back()
    {
        string image = await UploadAsync(0);
        long before = Budget.UsedBytes;
        await _client.OpenSessionAsync(TinyModels.Brain, image, 1, leaseSeconds: 1);
        Assert.Equal(before + SessionBytes, Budget.UsedBytes);
        for (int n = 0; n < 100 && Budget.UsedBytes != before; n++) await Task.Delay(100);
        Assert.Equal(before, Budget.UsedBytes);
    }

    [Fact]
    public async Task A_failed_upload_gives_its_buffer_back_and_stores_nothing()
    {
        long before = Budget.UsedBytes;
        var payload = Float32Payload(new float[64 * 64 * 16]);
        await Refusals.Expect(StatusCode.InvalidArgument, () => RawUploadAsync(_raw, Header(Dims), payload[..(payload.Length / 2)]));
        Assert.Equal(before, Budget.UsedBytes);
        Assert.Equal(0, _server.Sidecar.Images.Count);
    }

    [Fact]
    public async Task A_workspace_that_does_not_fit_is_refused_and_not_created()
    {
        Assert.True(_server.Sidecar.Workspace(TinyModels.Brain).MemoryBytes > Budget.CapacityBytes - Budget.UsedBytes);
        var workspaces = new V1.Workspaces.WorkspacesClient(_channel);
        var e = await Refusals.Expect(StatusCode.ResourceExhausted, async () =>
            await workspaces.CreateWorkspaceAsync(new CreateWorkspaceRequest { Name = "third", Model = TinyModels.Brain }));
        Assert.Contains("Workspace 'third'", e.Status.Detail);
        Assert.Equal(2, _server.Sidecar.Workspaces.Count);
        Assert.Equal(_workspaces, Budget.UsedBytes);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        _channel.Dispose();
        await _server.DisposeAsync();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
