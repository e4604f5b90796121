using Grpc.Net.Client;
using Oaims.Cli;
using Oaims.Imaging;
using Oaims.Service.V1;
using V1 = Oaims.Service.V1;
using Serilog.Events;

namespace Oaims.Service.Tests;

/// <summary>
/// The real sidecar on a free loopback port (Kestrel, HTTP/2 cleartext) with the tiny models, and real Grpc.Net.Client
/// clients; one server shared by the tests of the "server" collection. Limits are small so the oversize tests stay cheap.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public static readonly ServiceLimits TestLimits = new()
    {
        MaxUploadBytes = 1 << 20, MaxVoxels = 300_000, MaxMessageBytes = 256 << 10, UploadChunkBytes = 64 << 10,
        MaxSessions = 64, QueueCapacity = 32, MemoryBudgetBytes = 256 << 20, MaskChunkVoxels = 4096, MaxWorkspaces = 200,
    };

    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"oaims-service-tests-{Guid.NewGuid():N}");
    public RunningSidecar Server { get; private set; } = null!;
    public GrpcChannel Channel { get; private set; } = null!;
    public Segmentation.SegmentationClient Segmentation { get; private set; } = null!;
    public V1.Workspaces.WorkspacesClient Workspaces { get; private set; } = null!;
    public RemoteClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await SidecarHost.StartAsync(Options(Root));
        Channel = GrpcChannel.ForAddress(Server.Address);
        Segmentation = new Segmentation.SegmentationClient(Channel);
        Workspaces = new V1.Workspaces.WorkspacesClient(Channel);
        Client = new RemoteClient(Server.Address, retryDeadline: TimeSpan.FromSeconds(20));
    }

    /// <summary>Options of a test server: tiny models under root/models, checkpoints under root/checkpoints, quiet console.</summary>
    public static SidecarOptions Options(string root, ServiceLimits? limits = null) => new()
    {
        Address = "127.0.0.1:0", ModelsFolder = TinyModels.Write(Path.Combine(root, "models")), CheckpointRoot = Path.Combine(root, "checkpoints"),
        Device = "cpu", Threads = 1, ConsoleLevel = LogEventLevel.Error, Limits = limits ?? TestLimits,
    };

    /// <summary>A fresh workspace of its own for a test, so that weight checksums are not disturbed by other tests.</summary>
    public async Task<string> NewWorkspaceAsync(string strategy = "pi+mi", string model = TinyModels.Brain)
    {
        string name = $"t-{Guid.NewGuid():N}"[..14];
        await Workspaces.CreateWorkspaceAsync(new CreateWorkspaceRequest { Name = name, Model = model, Strategy = strategy });
        return name;
    }

    public async Task<string> ChecksumAsync(string workspace) =>
        (await Workspaces.GetWorkspaceAsync(new GetWorkspaceRequest { Workspace = workspace, IncludeChecksum = true })).WeightsChecksum;

    public async Task<SessionInfo> OpenAsync(string workspace, Volume image, int targetClass = 1, int leaseSeconds = 0)
    {
        var reference = await Client.UploadAsync(image, chunkBytes: TestLimits.UploadChunkBytes);
        return await Client.OpenSessionAsync(workspace, reference.ImageId, targetClass, leaseSeconds);
    }

    /// <summary>The label volume as the server holds it (read on the workspace's worker).</summary>
    public async Task<byte[]> ServerLabelsAsync(string sessionId) =>
        (await Server.Sidecar.OnSessionAsync(sessionId, s => s.CopyLabels(), CancellationToken.None)).Value;

    /// <summary>After a refused request: the server still answers, a valid click still works, and the weights did not move.</summary>
    public Task AssertStillServingAsync(string workspace, string checksumBefore) => AssertStillServingAsync(Client, workspace, checksumBefore);

    /// <summary>The same on any test server, through its client.</summary>
    public static async Task AssertStillServingAsync(RemoteClient client, string workspace, string checksumBefore)
    {
        Assert.Equal(checksumBefore, (await client.Workspaces.GetWorkspaceAsync(new GetWorkspaceRequest { Workspace = workspace, IncludeChecksum = true })).WeightsChecksum);
        var capabilities = await client.CapabilitiesAsync();
        Assert.NotEmpty(capabilities.Models);
        var reference = await client.UploadAsync(TestImages.Brain2D(seed: 99).Image, chunkBytes: TestLimits.UploadChunkBytes);
        var session = await client.OpenSessionAsync(workspace, reference.ImageId, targetClass: 1);
        var reply = await client.ClickAsync(session.SessionId, new Click { Axis = 2, I = 16, J = 16, K = 0, Positive = true });
        Assert.Equal(1, reply.Summary.ClickCount);
        await client.CloseSessionAsync(session.SessionId);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        Channel.Dispose();
        await Server.DisposeAsync();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}

[CollectionDefinition("server")]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>;
