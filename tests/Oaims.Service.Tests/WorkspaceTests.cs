using Grpc.Core;
using Oaims.Learning.Checkpoints;
using Oaims.Service.V1;
using static Oaims.Service.Tests.TestImages;

namespace Oaims.Service.Tests;

[Collection("server")]
public sealed class WorkspaceTests(ServerFixture server)
{
    [Fact]
    public async Task CreateWorkspace_starts_from_the_source_weights_with_the_asked_strategy_and_rate()
    {
        var info = await server.Workspaces.CreateWorkspaceAsync(new CreateWorkspaceRequest { Name = "w-create", Model = TinyModels.Brain, Strategy = "tsca", LearningRate = 1e-3 });
        Assert.Equal(("w-create", TinyModels.Brain, "tsca", 1e-3, 0L), (info.Name, info.Model, info.Strategy, info.LearningRate, info.ModelVersion));
        Assert.Equal(await server.ChecksumAsync(await server.NewWorkspaceAsync()), await server.ChecksumAsync("w-create")); // both are the source weights
        var list = await server.Workspaces.ListWorkspacesAsync(new ListWorkspacesRequest { IncludeChecksum = true });
        Assert.Contains(list.Workspaces, w => w.Name == "w-create" && w.WeightsChecksum.Length == 64);
    }

    [Fact]
    public async Task Bad_workspace_requests_get_the_right_codes_and_change_nothing()
    {
        string workspace = await server.NewWorkspaceAsync();
        string before = await server.ChecksumAsync(workspace);
        await Refusals.Expect(StatusCode.InvalidArgument, async () => await server.Workspaces.CreateWorkspaceAsync(new CreateWorkspaceRequest { Name = "bad name!", Model = TinyModels.Brain }));
        await Refusals.Expect(StatusCode.InvalidArgument, async () => await server.Workspaces.CreateWorkspaceAsync(new CreateWorkspaceRequest { Name = "w-x", Model = TinyModels.Brain, Strategy = "magic" }));
        await Refusals.Expect(StatusCode.InvalidArgument, async () => await server.Workspaces.CreateWorkspaceAsync(new CreateWorkspaceRequest { Name = "w-x", Model = TinyModels.Brain, LearningRate = -1 }));
        await Refusals.Expect(StatusCode.InvalidArgument, async () => await server.Workspaces.CreateWorkspaceAsync(new CreateWorkspaceRequest { Name = "w-x", Model = TinyModels.Brain, LearningRate = double.NaN }));
        await Refusals.Expect(StatusCode.NotFound, async () => await server.Workspaces.CreateWorkspaceAsync(new CreateWorkspaceRequest { Name = "w-x", Model = "no-such-model" }));
        await Refusals.Expect(StatusCode.AlreadyExists, async () => await server.Workspaces.CreateWorkspaceAsync(new CreateWorkspaceRequest { Name = workspace, Model = TinyModels.Brain }));
        await Refusals.Expect(StatusCode.NotFound, async () => await server.Workspaces.ListVersionsAsync(new ListVersionsRequest { Workspace = "nope" }));
        await Refusals.Expect(StatusCode.InvalidArgument, async () => await server.Workspaces.RollbackAsync(new RollbackRequest { Workspace = workspace, Version = 42 }));
        await Refusals.Expect(StatusCode.InvalidArgument, async () => await server.Workspaces.RollbackAsync(new RollbackRequest { Workspace = workspace, Version = -1 }));
        await Refusals.Expect(StatusCode.InvalidArgument, async () => await server.Workspaces.SaveCheckpointAsync(new SaveCheckpointRequest { Workspace = workspace, Path = "../outside" }));
        await Refusals.Expect(StatusCode.InvalidArgument, async () => await server.Workspaces.SaveCheckpointAsync(new SaveCheckpointRequest { Workspace = workspace, Path = "/tmp/abs" }));
        await Refusals.Expect(StatusCode.InvalidArgument, async () => await server.Workspaces.ExportCheckpointAsync(new ExportCheckpointRequest { Workspace = workspace, Path = "" }));
        await Refusals.Expect(StatusCode.NotFound, async () => await server.Workspaces.CreateWorkspaceAsync(new CreateWorkspaceRequest { Name = "w-y", RestoreFrom = "never-saved" }));
        Assert.DoesNotContain((await server.Workspaces.ListWorkspacesAsync(new ListWorkspacesRequest())).Workspaces, w => w.Name is "w-x" or "w-y");
        await server.AssertStillServingAsync(workspace, before);
    }

    [Fact]
    public async Task A_saved_workspace_restores_with_its_weights_and_history()
    {
        string workspace = await server.NewWorkspaceAsync("pi+mi");
        var session = await server.OpenAsync(workspace, Brain2D(seed: 30).Image);
        await server.Client.ClickAsync(session.SessionId, new Click { Axis = 2, I = 16, J = 16, Positive = true });
        await server.Client.CommitAsync(session.SessionId);
        var saved = await server.Workspaces.SaveCheckpointAsync(new SaveCheckpointRequest { Workspace = workspace, Path = $"saved/{workspace}" });
        Assert.StartsWith(server.Server.Sidecar.CheckpointRoot, saved.Path);

        var restored = await server.Workspaces.CreateWorkspaceAsync(new CreateWorkspaceRequest { Name = workspace + "-r", RestoreFrom = $"saved/{workspace}" });
        Assert.Equal(saved.ModelVersion, restored.ModelVersion);
        Assert.Equal(await server.ChecksumAsync(workspace), await server.ChecksumAsync(restored.Name));
        var original = await server.Workspaces.ListVersionsAsync(new ListVersionsRequest { Workspace = workspace });
        var copy = await server.Workspaces.ListVersionsAsync(new ListVersionsRequest { Workspace = restored.Name });
        Assert.Equal(original.Versions.Select(v => v.Kind), copy.Versions.Select(v => v.Kind));
    }

    [Fact]
    public async Task Export_writes_an_ordinary_checkpoint_under_the_root()
    {
        string workspace = await server.NewWorkspaceAsync();
        var exported = await server.Workspaces.ExportCheckpointAsync(new ExportCheckpointRequest { Workspace = workspace, Path = $"exports/{workspace}", Name = "adapted" });
        var (network, card) = Checkpoint.Load(exported.Path);
        network.Dispose();
        Assert.Equal("adapted", card.Name);
        Assert.Equal("brain-lesion", card.Task);
    }
}
