using Oaims.Cli;
using Oaims.Interaction;
using Oaims.Service.V1;
using static Oaims.Service.Tests.TestImages;

namespace Oaims.Service.Tests;

[Collection("server")]
public sealed class ConcurrencyTests(ServerFixture server)
{
    [Fact]
    public async Task Eight_concurrent_sessions_of_ten_clicks_each_finish_without_error()
    {
        string workspace = await server.NewWorkspaceAsync("pi+mi");
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(n => Task.Run(() => PlayAsync(workspace, seed: 40 + n))));
        Assert.All(results, r =>
        {
            Assert.Equal(10, r.Clicks);
            Assert.True(r.DeltasMatchGetMask);
        });
        var versions = await server.Workspaces.ListVersionsAsync(new ListVersionsRequest { Workspace = workspace });
        // Every click after a session's first took one MI step on the shared learner, serialised by the workspace's worker.
        Assert.Equal(8 * 9, versions.Versions.Count(v => v.Kind == "mi") + results.Sum(r => r.SkippedSteps));
    }

    async Task<(int Clicks, bool DeltasMatchGetMask, int SkippedSteps)> PlayAsync(string workspace, int seed)
    {
        var phantom = Brain2D(seed);
        var truth = new LabelMap(32, 32, phantom.Label.Channels[0].Select(v => (int)v).ToArray());
        var session = await server.OpenAsync(workspace, phantom.Image);
        var mask = new RemoteMask(session.Dims.ToArray());
        int clicks = 0, skipped = 0;
        for (int n = 0; n < 10; n++)
        {
            var next = (n == 0 ? SimulatedUser.FirstClick(truth) : SimulatedUser.NextClick(truth, mask.AxialSlice(0))) ?? new Interaction.Click(n, n, 1);
            var reply = await server.Client.ClickAsync(session.SessionId, new Service.V1.Click { Axis = 2, I = next.X, J = next.Y, K = 0, ClassIndex = next.Class });
            mask.Apply(reply.Mask.Delta);
            clicks = reply.Summary.ClickCount;
            skipped += reply.Steps.Count(s => !s.Applied);
        }
        bool matches = (await server.Client.GetMaskAsync(session.SessionId)).Labels.AsSpan().SequenceEqual(mask.Labels);
        await server.Client.CloseSessionAsync(session.SessionId);
        return (clicks, matches, skipped);
    }
}
