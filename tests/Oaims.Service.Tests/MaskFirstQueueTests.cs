using Oaims.Cli;
using Oaims.Service.V1;
using static Oaims.Service.Tests.TestImages;

namespace Oaims.Service.Tests;

/// <summary>Clicks that come while an earlier click's adaptation still runs: queued behind it, none lost, none reordered.</summary>
[Collection("server")]
public sealed class MaskFirstQueueTests(ServerFixture server)
{
    static Click At(int i, int j, bool positive = true) => new() { Axis = 2, I = i, J = j, K = 0, Positive = positive };

    [Fact]
    public async Task Clicks_sent_each_as_the_previous_first_mask_arrives_all_run_in_the_order_sent()
    {
        string workspace = await server.NewWorkspaceAsync("mi");
        var session = await server.OpenAsync(workspace, Brain2D(seed: 30).Image);
        await server.Client.ClickAsync(session.SessionId, At(16, 16)); // MI learns from the second click on
        var clicks = new[] { At(12, 14), At(4, 4, false), At(20, 9), At(8, 22, false) };
        var replies = new Task<ClickReply>[clicks.Length];
        // The user sees the first mask and clicks again at once, while the previous call still streams its step.
        void Send(int n) => replies[n] = server.Client.ClickAsync(session.SessionId, clicks[n],
            onFirstMask: _ => { if (n + 1 < clicks.Length) Send(n + 1); });
        Send(0);
        for (int n = 0; n < 200 && replies[^1] is null; n++) await Task.Delay(10);
        Assert.NotNull(replies[^1]);
        var done = await Task.WhenAll(replies);

        Assert.Equal([2, 3, 4, 5], done.Select(r => r.Summary.ClickCount));
        // Each click's update starts from the one before: the versions follow the order the clicks were sent in.
        Assert.Equal([1L, 2L, 3L, 4L], done.Select(r => r.Summary.ModelVersion));
        Assert.All(done, r => Assert.Equal(r.Summary.ModelVersion, Assert.Single(r.Steps).ModelVersion));
        var labels = await server.ServerLabelsAsync(session.SessionId);
        Assert.Equal(labels, (await server.Client.GetMaskAsync(session.SessionId)).Labels);
        await server.Client.CloseSessionAsync(session.SessionId);
    }

    [Fact]
    public async Task A_click_waiting_behind_a_busy_worker_keeps_its_place_and_its_first_mask_waits_with_it()
    {
        string workspace = await server.NewWorkspaceAsync("mi");
        var session = await server.OpenAsync(workspace, Brain2D(seed: 31).Image);
        await server.Client.ClickAsync(session.SessionId, At(16, 16));
        var worker = server.Server.Sidecar.Workspace(workspace).Worker;
        using var gate = new ManualResetEventSlim();
        // Hold the worker, as a long adaptation step of the previous click would.
        var busy = worker.Run(() => gate.Wait(TimeSpan.FromSeconds(30)), CancellationToken.None);
        try
        {
            for (int n = 0; n < 200 && worker.Queued > 0; n++) await Task.Delay(10);
            var second = server.Client.ClickAsync(session.SessionId, At(12, 14));
            for (int n = 0; n < 200 && worker.Queued < 1; n++) await Task.Delay(10);
            var third = server.Client.ClickAsync(session.SessionId, At(4, 4, false));
            for (int n = 0; n < 200 && worker.Queued < 2; n++) await Task.Delay(10);
            Assert.Equal(2, worker.Queued);
            Assert.False(second.IsCompleted || third.IsCompleted);
            gate.Set();
            await busy;
            var (a, b) = (await second, await third);
            Assert.Equal((2, 3), (a.Summary.ClickCount, b.Summary.ClickCount));
            Assert.True(a.Summary.ModelVersion < b.Summary.ModelVersion);
            Assert.True(a.Summary.Latency.QueueMs > 0 && a.Summary.TimeToFirstMaskMs >= a.Summary.Latency.QueueMs);
        }
        finally { gate.Set(); }
        await server.Client.CloseSessionAsync(session.SessionId);
    }
}
