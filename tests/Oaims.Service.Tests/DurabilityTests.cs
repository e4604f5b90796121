using Grpc.Core;
using Oaims.Cli;
using Oaims.Imaging;
using Oaims.Service.V1;
using static Oaims.Service.Tests.TestImages;

namespace Oaims.Service.Tests;

/// <summary>
/// What a workspace learned survives a restart: each test starts real servers one after another on the same checkpoint
/// root, as `oaims serve` restarted with the same flags would.
/// </summary>
public sealed class DurabilityTests : IAsyncDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), $"oaims-durability-{Guid.NewGuid():N}");

    sealed class Server(RunningSidecar running) : IAsyncDisposable
    {
        public RunningSidecar Running { get; } = running;
        public RemoteClient Client { get; } = new(running.Address, retryDeadline: TimeSpan.FromSeconds(20));
        public Sidecar Sidecar => Running.Sidecar;

        public async Task<WorkspaceInfo> InfoAsync(string workspace) =>
            await Client.Workspaces.GetWorkspaceAsync(new GetWorkspaceRequest { Workspace = workspace, IncludeChecksum = true });

        public async Task<IReadOnlyList<string>> HistoryAsync(string workspace) =>
            (await Client.Workspaces.ListVersionsAsync(new ListVersionsRequest { Workspace = workspace })).Versions.Select(v => $"{v.Version}:{v.Kind}").ToList();

        /// <summary>Two clicks and a commit on a fresh phantom: MI and PI updates.</summary>
        public async Task<long> LearnOneImageAsync(string workspace, int seed)
        {
            var reference = await Client.UploadAsync(Brain2D(seed).Image, chunkBytes: ServerFixture.TestLimits.UploadChunkBytes);
            var session = await Client.OpenSessionAsync(workspace, reference.ImageId, 1);
            await Client.ClickAsync(session.SessionId, new Click { Axis = 2, I = 16, J = 16, Positive = true });
            await Client.ClickAsync(session.SessionId, new Click { Axis = 2, I = 12, J = 14, Positive = true });
            var commit = await Client.CommitAsync(session.SessionId);
            await Client.CloseSessionAsync(session.SessionId);
            return commit.Summary.ModelVersion;
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Running.DisposeAsync();
        }
    }

    async Task<Server> StartAsync() => new(await SidecarHost.StartAsync(ServerFixture.Options(_root)));

    string StateOf(string workspace) => Path.Combine(_root, "checkpoints", Sidecar.StateFolderName, workspace);

    [Fact]
    public async Task A_committed_workspace_comes_back_after_a_restart_with_its_version_weights_and_history()
    {
        WorkspaceInfo before;
        IReadOnlyList<string> history;
        await using (var server = await StartAsync())
        {
            await server.Client.Workspaces.CreateWorkspaceAsync(new CreateWorkspaceRequest { Name = "kept", Model = TinyModels.Brain, Strategy = "pi+mi", LearningRate = 1e-3 });
            long committed = await server.LearnOneImageAsync("kept", seed: 1);
            before = await server.InfoAsync("kept");
            Assert.Equal(committed, before.ModelVersion);
            history = await server.HistoryAsync("kept");
        }
        await using (var server = await StartAsync())
        {
            var after = await server.InfoAsync("kept");
            Assert.Equal((before.ModelVersion, before.WeightsChecksum, before.Strategy, before.LearningRate),
                (after.ModelVersion, after.WeightsChecksum, after.Strategy, after.LearningRate));
            Assert.Equal(history, await server.HistoryAsync("kept"));
            // The restored workspace keeps learning from where it was.
            Assert.True(await server.LearnOneImageAsync("kept", seed: 2) > before.ModelVersion);
        }
    }

    [Fact]
    public async Task Rollback_reset_and_creation_are_saved_before_they_answer()
    {
        await using (var server = await StartAsync())
        {
            await server.Client.Workspaces.CreateWorkspaceAsync(new CreateWorkspaceRequest { Name = "created", Model = TinyModels.Brain });
            await server.Client.Workspaces.CreateWorkspaceAsync(new CreateWorkspaceRequest { Name = "rolled", Model = TinyModels.Brain });
            await server.Client.Workspaces.CreateWorkspaceAsync(new CreateWorkspaceRequest { Name = "reset", Model = TinyModels.Brain });
            long first = await server.LearnOneImageAsync("rolled", seed: 3);
            await server.LearnOneImageAsync("rolled", seed: 4);
            await server.Client.Workspaces.RollbackAsync(new RollbackRequest { Workspace = "rolled", Version = first });
            await server.LearnOneImageAsync("reset", seed: 5);
            await server.Client.Workspaces.ResetToSourceAsync(new ResetToSourceRequest { Workspace = "reset" });
            // Read what is on disk while the server still runs: the answers came after the saves.
            foreach (string name in new[] { "created", "rolled", "reset" })
            {
                var (located, warning) = Learning.Checkpoints.LearnerStore.Locate(StateOf(name));
                Assert.Null(warning);
                using var saved = Learning.Adaptation.OnlineLearner.Load(located);
                var info = await server.InfoAsync(name);
                Assert.Equal((info.ModelVersion, info.WeightsChecksum), (saved.Version, saved.WeightsChecksum()));
            }
        }
        await using (var restarted = await StartAsync())
        {
            Assert.Equal("rollback", (await restarted.HistoryAsync("rolled"))[^1].Split(':')[1]);
            Assert.Equal("reset", (await restarted.HistoryAsync("reset"))[^1].Split(':')[1]);
            Assert.Equal(0, (await restarted.InfoAsync("created")).ModelVersion);
        }
    }

    [Fact]
    public async Task A_torn_save_is_detected_at_start_and_the_last_good_state_loaded()
    {
        WorkspaceInfo good;
        await using (var server = await StartAsync())
        {
            await server.Client.Workspaces.CreateWorkspaceAsync(new CreateWorkspaceRequest { Name = "torn", Model = TinyModels.Brain });
            await server.LearnOneImageAsync("torn", seed: 6);
            good = await server.InfoAsync("torn");
            await server.LearnOneImageAsync("torn", seed: 7);
        }
        // The newest save lost the tail of its weights (as a disk that acknowledged a write it never made would leave it).
        string newest = new DurableFolder(StateOf("torn")).Open()!.Folder;
        string weights = Path.Combine(newest, "current", "model.safetensors");
        File.WriteAllBytes(weights, File.ReadAllBytes(weights)[..^64]);
        Directory.CreateDirectory(Path.Combine(StateOf("torn"), ".v000099.abc.tmp")); // and a crashed save left its temporary folder

        await using (var server = await StartAsync())
        {
            var restored = await server.InfoAsync("torn");
            Assert.Equal((good.ModelVersion, good.WeightsChecksum), (restored.ModelVersion, restored.WeightsChecksum));
            Assert.False(Directory.Exists(Path.Combine(StateOf("torn"), ".v000099.abc.tmp")));
        }
        // The good state was made the one in force again, so the next start needs no fall-back.
        Assert.Null(new DurableFolder(StateOf("torn")).Open()!.Warning);
    }

    [Fact]
    public async Task A_workspace_whose_saved_state_is_unreadable_is_left_on_disk_and_its_name_refused()
    {
        await using (var server = await StartAsync())
            await server.Client.Workspaces.CreateWorkspaceAsync(new CreateWorkspaceRequest { Name = "broken", Model = TinyModels.Brain });
        string only = new DurableFolder(StateOf("broken")).Open()!.Folder;
        File.WriteAllText(Path.Combine(only, "learner.json"), "{}");
        var filesBefore = Directory.GetFiles(StateOf("broken"), "*", SearchOption.AllDirectories).Order().ToList();

        await using (var server = await StartAsync())
        {
            Assert.DoesNotContain(server.Sidecar.Workspaces, w => w.Name == "broken");
            await Refusals.Expect(StatusCode.AlreadyExists, async () =>
                await server.Client.Workspaces.CreateWorkspaceAsync(new CreateWorkspaceRequest { Name = "broken", Model = TinyModels.Brain }));
            Assert.Contains(server.Sidecar.Workspaces, w => w.Name == TinyModels.Brain); // the others are served
        }
        Assert.Equal(filesBefore, Directory.GetFiles(StateOf("broken"), "*", SearchOption.AllDirectories).Order().ToList());
    }

    [Fact]
    public async Task Saves_and_exports_become_new_versions_of_their_folder_and_refuse_other_kinds_of_paths()
    {
        await using var server = await StartAsync();
        var workspaces = server.Client.Workspaces;
        await workspaces.SaveCheckpointAsync(new SaveCheckpointRequest { Workspace = TinyModels.Brain, Path = "saved/a" });
        long learned = await server.LearnOneImageAsync(TinyModels.Brain, seed: 8);
        await workspaces.SaveCheckpointAsync(new SaveCheckpointRequest { Workspace = TinyModels.Brain, Path = "saved/a" });
        var restored = await workspaces.CreateWorkspaceAsync(new CreateWorkspaceRequest { Name = "from-a", RestoreFrom = "saved/a" });
        Assert.Equal(learned, restored.ModelVersion);

        await workspaces.ExportCheckpointAsync(new ExportCheckpointRequest { Workspace = TinyModels.Brain, Path = "exports/m", Name = "m1" });
        await workspaces.ExportCheckpointAsync(new ExportCheckpointRequest { Workspace = TinyModels.Brain, Path = "exports/m", Name = "m2" });
        Assert.Equal("m2", Learning.Checkpoints.Checkpoint.ReadCard(Path.Combine(server.Sidecar.CheckpointRoot, "exports", "m")).Name);

        File.WriteAllText(Path.Combine(server.Sidecar.CheckpointRoot, "a-file"), "x");
        await Refusals.Expect(StatusCode.InvalidArgument, async () => await workspaces.ExportCheckpointAsync(new ExportCheckpointRequest { Workspace = TinyModels.Brain, Path = "a-file" }));
        await Refusals.Expect(StatusCode.AlreadyExists, async () => await workspaces.SaveCheckpointAsync(new SaveCheckpointRequest { Workspace = TinyModels.Brain, Path = "exports/m" }));
        await Refusals.Expect(StatusCode.AlreadyExists, async () => await workspaces.ExportCheckpointAsync(new ExportCheckpointRequest { Workspace = TinyModels.Brain, Path = "saved/a" }));
        await Refusals.Expect(StatusCode.InvalidArgument, async () => await workspaces.SaveCheckpointAsync(new SaveCheckpointRequest { Workspace = TinyModels.Brain, Path = $"{Sidecar.StateFolderName}/{TinyModels.Brain}" }));
        await Refusals.Expect(StatusCode.InvalidArgument, async () => await workspaces.ExportCheckpointAsync(new ExportCheckpointRequest { Workspace = TinyModels.Brain, Path = Sidecar.StateFolderName }));
    }

    [Fact]
    public async Task Leftovers_of_a_cut_off_save_or_export_are_removed_at_start_and_the_saved_state_kept()
    {
        string saved;
        await using (var server = await StartAsync())
        {
            saved = (await server.Client.Workspaces.SaveCheckpointAsync(new SaveCheckpointRequest { Workspace = TinyModels.Brain, Path = "team/saved" })).Path;
        }
        string leftover = Path.Combine(saved, ".v000002.0f0f.tmp");
        Directory.CreateDirectory(leftover);
        File.WriteAllText(Path.Combine(leftover, "learner.json"), "{ half");
        await using (var server = await StartAsync())
        {
            Assert.False(Directory.Exists(leftover));
            var restored = await server.Client.Workspaces.CreateWorkspaceAsync(new CreateWorkspaceRequest { Name = "from-team", RestoreFrom = "team/saved" });
            Assert.Equal(0, restored.ModelVersion);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Task.Yield();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
