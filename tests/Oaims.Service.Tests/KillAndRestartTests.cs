using Oaims.Cli;
using Oaims.Cli.Reliability;
using Oaims.Service.V1;
using static Oaims.Service.Tests.TestImages;

namespace Oaims.Service.Tests;

/// <summary>The real `oaims serve` process, killed with SIGKILL right after a commit answered, and started again with the same flags.</summary>
public sealed class KillAndRestartTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), $"oaims-kill-{Guid.NewGuid():N}");

    [Fact]
    public async Task Commit_then_kill_9_then_restart_gives_the_same_version_and_weights_checksum()
    {
        string models = TinyModels.Write(Path.Combine(_root, "models"));
        string[] flags = ["--models", models, "--checkpoints", Path.Combine(_root, "checkpoints"), "--device", "cpu", "--threads", "1", "--log-level", "Error"];
        WorkspaceInfo committed;
        var server = await ServerProcess.StartAsync(flags);
        using (var client = new RemoteClient(server.Address, retryDeadline: TimeSpan.FromSeconds(20)))
        {
            var reference = await client.UploadAsync(Brain2D(seed: 50).Image);
            var session = await client.OpenSessionAsync(TinyModels.Brain, reference.ImageId, 1);
            await client.ClickAsync(session.SessionId, new Click { Axis = 2, I = 16, J = 16, Positive = true });
            await client.ClickAsync(session.SessionId, new Click { Axis = 2, I = 12, J = 14, Positive = true });
            var commit = await client.CommitAsync(session.SessionId);
            committed = await client.Workspaces.GetWorkspaceAsync(new GetWorkspaceRequest { Workspace = TinyModels.Brain, IncludeChecksum = true });
            Assert.Equal(commit.Summary.ModelVersion, committed.ModelVersion);
            Assert.True(committed.ModelVersion > 0);
        }
        await server.KillHardAsync();
        Assert.True(server.HasExited);

        await using var restarted = await ServerProcess.StartAsync(flags);
        using var again = new RemoteClient(restarted.Address, retryDeadline: TimeSpan.FromSeconds(20));
        var restored = await again.Workspaces.GetWorkspaceAsync(new GetWorkspaceRequest { Workspace = TinyModels.Brain, IncludeChecksum = true });
        Assert.Equal((committed.ModelVersion, committed.WeightsChecksum), (restored.ModelVersion, restored.WeightsChecksum));
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
