using Grpc.Core;
using Oaims.Cli;
using Oaims.Service.V1;
using static Oaims.Service.Tests.TestImages;
using static TorchSharp.torch;

namespace Oaims.Service.Tests;

/// <summary>
/// The Propagate RPC against the real server. The tiny models are untrained, so each test sets its own workspace's output
/// bias (on the workspace's worker) to see the structure everywhere: propagation then goes on to the image's edges.
/// </summary>
[Collection("server")]
public sealed class PropagationTests(ServerFixture server)
{
    static Click At(int i, int j, int k, bool positive = true) => new() { Axis = 2, I = i, J = j, K = k, Positive = positive };

    async Task<SessionInfo> SessionSeeingStructureEverywhereAsync(string strategy = "none")
    {
        string workspace = await server.NewWorkspaceAsync(strategy);
        var session = await server.OpenAsync(workspace, Brain3D(seed: 30).Image); // 24x20x6
        await server.Server.Sidecar.OnSessionAsync(session.SessionId, s =>
        {
            using var noGrad = no_grad();
            s.Workspace.Learner.Network.named_parameters().Single(p => p.name == "outputs.bias").parameter.copy_(tensor(new[] { -50f, 50f }));
            return 0;
        }, CancellationToken.None);
        return session;
    }

    async Task<List<PropagateEvent>> PropagateAsync(PropagateRequest request)
    {
        using var call = new Propagation.PropagationClient(server.Channel).Propagate(request);
        var events = new List<PropagateEvent>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None)) events.Add(call.ResponseStream.Current);
        return events;
    }

    [Fact]
    public async Task Propagate_streams_each_proposed_slice_then_a_summary_and_the_deltas_rebuild_the_servers_labels()
    {
        var session = await SessionSeeingStructureEverywhereAsync();
        var mask = new RemoteMask(session.Dims.ToArray());
        mask.Apply((await server.Client.ClickAsync(session.SessionId, At(12, 10, 2))).Mask.Delta);

        var events = await PropagateAsync(new PropagateRequest { SessionId = session.SessionId, Axis = 2, Slice = 2 });

        var slices = events.Where(e => e.Slice is not null).Select(e => e.Slice).ToList();
        Assert.Equal([1, 0, 3, 4, 5], slices.Select(s => s.Slice));
        Assert.Equal([1, 2, 3, 4, 5], slices.Select(s => s.Done));
        Assert.All(slices, s => Assert.True(s.Proposal));
        var done = events[^1].Done;
        Assert.Equal([1, 0, 3, 4, 5], done.Proposed);
        Assert.Equal(("the image ends", "the image ends"), (done.StopBelow, done.StopAbove));
        foreach (var slice in slices) mask.Apply(slice.Delta);
        Assert.Equal(await server.ServerLabelsAsync(session.SessionId), mask.Labels);
        await server.Client.CloseSessionAsync(session.SessionId);
    }

    [Fact]
    public async Task Propagate_with_accept_first_streams_the_post_interaction_steps_before_the_slices()
    {
        var session = await SessionSeeingStructureEverywhereAsync("pi");
        await server.Client.ClickAsync(session.SessionId, At(12, 10, 2));

        var events = await PropagateAsync(new PropagateRequest { SessionId = session.SessionId, Axis = 2, Slice = 2, AcceptFirst = true, MaxSlices = 2 });

        var kinds = events.Select(e => e.EventCase).Distinct().ToList();
        Assert.Equal([PropagateEvent.EventOneofCase.Step, PropagateEvent.EventOneofCase.Slice, PropagateEvent.EventOneofCase.Done], kinds);
        var done = events[^1].Done;
        Assert.Equal([1, 0], done.Proposed);
        Assert.Equal("2 slices were proposed", done.StopAbove);
        Assert.True(done.ModelVersion > 0, "accepting the slice should have adapted the model");
        await server.Client.CloseSessionAsync(session.SessionId);
    }

    [Fact]
    public async Task Propagating_from_a_slice_without_structure_is_refused_with_what_to_do()
    {
        var session = await SessionSeeingStructureEverywhereAsync();

        var e = await Refusals.Expect(StatusCode.InvalidArgument, () => PropagateAsync(new PropagateRequest { SessionId = session.SessionId, Axis = 2, Slice = 4 }));

        Assert.Contains("click the structure on it first", e.Status.Detail);
        await server.Client.CloseSessionAsync(session.SessionId);
    }

    [Theory]
    [InlineData(3, 0, 0, "Axis 3")]
    [InlineData(2, 6, 0, "Slice 6")]
    [InlineData(2, 1, -1, "max_slices")]
    public async Task A_propagation_outside_the_image_is_refused_before_it_is_queued(int axis, int slice, int maxSlices, string named)
    {
        var session = await SessionSeeingStructureEverywhereAsync();

        var e = await Refusals.Expect(StatusCode.InvalidArgument,
            () => PropagateAsync(new PropagateRequest { SessionId = session.SessionId, Axis = axis, Slice = slice, MaxSlices = maxSlices }));

        Assert.Contains(named, e.Status.Detail);
        await server.Client.CloseSessionAsync(session.SessionId);
    }

    [Fact]
    public async Task Propagating_in_an_unknown_session_is_refused_as_not_found()
    {
        await Refusals.Expect(StatusCode.NotFound, () => PropagateAsync(new PropagateRequest { SessionId = Guid.NewGuid().ToString("N"), Axis = 2, Slice = 0 }));
    }
}
