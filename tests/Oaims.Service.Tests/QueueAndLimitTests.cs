using Grpc.Core;
using Oaims.Service.V1;
using static Oaims.Service.Tests.TestImages;

namespace Oaims.Service.Tests;

/// <summary>A server of its own with one queue slot and two sessions, to fill them on purpose.</summary>
public sealed class QueueAndLimitTests : IAsyncLifetime
{
    readonly string _root = Path.Combine(Path.GetTempPath(), $"oaims-limits-{Guid.NewGuid():N}");
    RunningSidecar _server = null!;
    Cli.RemoteClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await SidecarHost.StartAsync(ServerFixture.Options(_root, ServerFixture.TestLimits with { QueueCapacity = 1, MaxSessions = 2 }));
        _client = new Cli.RemoteClient(_server.Address);
    }

    [Fact]
    public async Task Beyond_the_session_limit_opening_is_resource_exhausted_until_one_closes()
    {
        var image = await _client.UploadAsync(Brain2D().Image);
        var first = await _client.OpenSessionAsync(TinyModels.Brain, image.ImageId, 1);
        await _client.OpenSessionAsync(TinyModels.Brain, image.ImageId, 1);
        await Refusals.Expect(StatusCode.ResourceExhausted, () => _client.OpenSessionAsync(TinyModels.Brain, image.ImageId, 1));
        await _client.CloseSessionAsync(first.SessionId);
        await _client.OpenSessionAsync(TinyModels.Brain, image.ImageId, 1);
    }

    [Fact]
    public async Task A_full_queue_refuses_with_resource_exhausted_and_a_deadline_drops_the_waiting_click()
    {
        var image = await _client.UploadAsync(Brain2D().Image);
        var session = await _client.OpenSessionAsync(TinyModels.Brain, image.ImageId, 1);
        var worker = _server.Sidecar.Workspace(TinyModels.Brain).Worker;
        using var gate = new ManualResetEventSlim();
        // Hold the worker busy, as a long click of another user would.
        var busy = worker.Run(() => gate.Wait(TimeSpan.FromSeconds(30)), CancellationToken.None);
        try
        {
            await WaitUntil(() => worker.Queued == 0); // the hold is running, not waiting in the one queue slot
            // This click waits past its deadline and is dropped without running (the client reports the deadline itself).
            var late = await Assert.ThrowsAsync<RpcException>(() =>
                _client.ClickAsync(session.SessionId, new Click { Axis = 2, I = 3, J = 3, Positive = true }, deadline: DateTime.UtcNow.AddMilliseconds(300)));
            Assert.Equal(StatusCode.DeadlineExceeded, late.StatusCode);
            await WaitUntil(() => worker.Queued == 0);
            var waiting = _client.ClickAsync(session.SessionId, new Click { Axis = 2, I = 16, J = 16, Positive = true });
            await WaitUntil(() => worker.Queued == 1);
            await Refusals.Expect(StatusCode.ResourceExhausted, () => _client.ClickAsync(session.SessionId, new Click { Axis = 2, I = 5, J = 5, Positive = true }));
            gate.Set();
            await busy;
            var reply = await waiting;
            Assert.Equal(1, reply.Summary.ClickCount); // only the click that waited in the queue ran
        }
        finally { gate.Set(); }
    }

    static async Task WaitUntil(Func<bool> condition)
    {
        for (int n = 0; n < 200 && !condition(); n++) await Task.Delay(20);
        Assert.True(condition());
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
