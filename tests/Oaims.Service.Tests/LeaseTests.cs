using Oaims.Service.V1;
using static Oaims.Service.Tests.TestImages;

namespace Oaims.Service.Tests;

/// <summary>The lease measures the user's idle time: time spent waiting for a busy workspace is not idle time.</summary>
[Collection("server")]
public sealed class LeaseTests(ServerFixture server)
{
    [Fact]
    public async Task A_session_whose_click_waits_in_the_queue_longer_than_its_lease_is_not_expired()
    {
        string workspace = await server.NewWorkspaceAsync();
        var session = await server.OpenAsync(workspace, Brain2D().Image, leaseSeconds: 1);
        var worker = server.Server.Sidecar.Workspace(workspace).Worker;
        using var gate = new ManualResetEventSlim();
        // Another user's long request holds the worker for three leases; the lease timer runs meanwhile.
        var busy = worker.Run(() => gate.Wait(TimeSpan.FromSeconds(30)), CancellationToken.None);
        var click = server.Client.ClickAsync(session.SessionId, new Click { Axis = 2, I = 16, J = 16, Positive = true });
        await Task.Delay(TimeSpan.FromSeconds(3));
        gate.Set();
        await busy;

        Assert.Equal(1, (await click).Summary.ClickCount);
        // The lease runs again from the end of that click, so the session is still open right after it.
        var info = await server.Segmentation.HeartbeatAsync(new HeartbeatRequest { SessionId = session.SessionId });
        Assert.Equal(1, info.ClickCount);
        await server.Client.CloseSessionAsync(session.SessionId);
    }
}
