using Oaims.Cli;
using Oaims.Imaging;
using Oaims.Service.V1;
using static Oaims.Service.Tests.TestImages;

namespace Oaims.Service.Tests;

[Collection("server")]
public sealed class ClickRoundTripTests(ServerFixture server)
{
    static Click At(int i, int j, int k = 0, bool positive = true) => new() { Axis = 2, I = i, J = j, K = k, Positive = positive };

    [Fact]
    public async Task A_click_streams_its_first_mask_then_its_steps_then_the_refined_mask_then_a_summary_with_the_latency_split()
    {
        string workspace = await server.NewWorkspaceAsync("mi");
        var session = await server.OpenAsync(workspace, Brain2D(seed: 20).Image);
        var first = await server.Client.ClickAsync(session.SessionId, At(16, 16));
        Assert.Empty(first.Steps); // MI learns from the second click on
        Assert.Equal(0, first.Summary.ModelVersion);
        Assert.False(first.Summary.Refined); // no step changed the weights: the first mask is the only one
        Assert.Same(first.FirstMask, first.Mask);
        using var call = server.Segmentation.Interact(new InteractRequest { SessionId = session.SessionId, Click = At(12, 14) });
        var kinds = new List<InteractEvent.EventOneofCase>();
        var refined = new List<bool>();
        InteractSummary? summary = null;
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            kinds.Add(call.ResponseStream.Current.EventCase);
            if (call.ResponseStream.Current.Mask is { } mask) refined.Add(mask.Refined);
            if (call.ResponseStream.Current.Done is { } done) summary = done;
            if (call.ResponseStream.Current.Step is { } step)
            {
                Assert.Equal("mi", step.Kind);
                Assert.True(step.Milliseconds > 0);
                Assert.True(double.IsFinite(step.Loss));
            }
        }
        Assert.Equal([InteractEvent.EventOneofCase.Mask, InteractEvent.EventOneofCase.Step, InteractEvent.EventOneofCase.Mask, InteractEvent.EventOneofCase.Done], kinds);
        Assert.Equal([false, true], refined);
        Assert.NotNull(summary);
        Assert.True(summary.Refined);
        Assert.True(summary.TimeToFirstMaskMs > 0 && summary.TimeToFirstMaskMs <= summary.TimeToDoneMs);
        Assert.Equal(2, summary.ClickCount);
        Assert.Equal(1, summary.ModelVersion);
        var l = summary.Latency;
        Assert.True(l.ForwardMs > 0 && l.AdaptationMs > 0 && l.QueueMs >= 0 && l.EncodeMs >= 0);
        Assert.True(l.TotalMs >= l.ForwardMs + l.AdaptationMs);
    }

    [Fact]
    public async Task Applying_the_streamed_deltas_in_order_reproduces_GetMask_and_the_server_labels()
    {
        string workspace = await server.NewWorkspaceAsync();
        var session = await server.OpenAsync(workspace, Brain3D(seed: 21).Image);
        // One client applies only each click's last mask, the other the first mask as well: both must end right.
        var mask = new RemoteMask(session.Dims.ToArray());
        var everyMask = new RemoteMask(session.Dims.ToArray());
        async Task ClickAsync(Click click)
        {
            var reply = await server.Client.ClickAsync(session.SessionId, click, onFirstMask: first => everyMask.Apply(first.Delta));
            mask.Apply(reply.Mask.Delta);
            if (reply.Summary.Refined) everyMask.Apply(reply.Mask.Delta);
        }
        var clicks = new[] { At(10, 10, 3), At(5, 6, 3, false), At(12, 8, 1), new Click { Axis = 0, I = 7, J = 9, K = 2, Positive = true }, At(18, 15, 3) };
        foreach (var click in clicks) await ClickAsync(click);
        var undo = (await server.Client.UndoAsync(session.SessionId)).Delta;
        mask.Apply(undo);
        everyMask.Apply(undo);
        await ClickAsync(At(3, 3, 5, false));

        var labels = await server.ServerLabelsAsync(session.SessionId);
        Assert.Equal(labels, mask.Labels);
        Assert.Equal(labels, everyMask.Labels);
        // Small chunks: GetMask sends many boxes, which still rebuild the volume exactly.
        Assert.Equal(labels, (await server.Client.GetMaskAsync(session.SessionId, maxVoxelsPerChunk: 100)).Labels);
        Assert.Equal(labels, (await server.Client.GetMaskAsync(session.SessionId)).Labels);
        await server.Client.CloseSessionAsync(session.SessionId);
    }

    [Fact]
    public async Task GetMask_chunks_carry_the_dims_and_respect_the_chunk_size()
    {
        var session = await server.OpenAsync(TinyModels.Brain, Phantom.Generate3D(64, 64, 3, seed: 22).Image);
        await server.Client.ClickAsync(session.SessionId, At(10, 10, 2));
        var boxes = await MaskChunkSizesAsync(session, maxVoxelsPerChunk: 64 * 64);
        Assert.Equal([4096, 4096, 4096], boxes); // one slice each
        await server.Client.CloseSessionAsync(session.SessionId);
    }

    [Fact]
    public async Task GetMask_raises_a_chunk_size_below_4096_voxels_to_4096()
    {
        var session = await server.OpenAsync(TinyModels.Brain, Phantom.Generate3D(64, 64, 3, seed: 24).Image);
        // One voxel per chunk would be 12 288 messages here (and millions for a brain MRI).
        Assert.Equal([4096, 4096, 4096], await MaskChunkSizesAsync(session, maxVoxelsPerChunk: 1));
        await server.Client.CloseSessionAsync(session.SessionId);
    }

    // The voxel count of each chunk's box, checking the chunks' order and dims on the way.
    async Task<List<int>> MaskChunkSizesAsync(SessionInfo session, int maxVoxelsPerChunk)
    {
        using var call = server.Segmentation.GetMask(new GetMaskRequest { SessionId = session.SessionId, MaxVoxelsPerChunk = maxVoxelsPerChunk });
        var sizes = new List<int>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            var chunk = call.ResponseStream.Current;
            Assert.Equal(sizes.Count, chunk.Index);
            Assert.Equal(session.Dims, chunk.Dims);
            var box = chunk.Delta.Box;
            sizes.Add((box.MaxI - box.MinI + 1) * (box.MaxJ - box.MinJ + 1) * (box.MaxK - box.MinK + 1));
        }
        return sizes;
    }

    [Fact]
    public async Task Undo_restores_the_weights_and_the_mask_from_before_the_click()
    {
        string workspace = await server.NewWorkspaceAsync("pi+mi");
        var session = await server.OpenAsync(workspace, Brain2D(seed: 23).Image);
        await server.Client.ClickAsync(session.SessionId, At(16, 16));
        await server.Client.ClickAsync(session.SessionId, At(12, 14)); // version 1: MI learns from the second click on
        string checksumBefore = await server.ChecksumAsync(workspace);
        var maskBefore = await server.ServerLabelsAsync(session.SessionId);

        var third = await server.Client.ClickAsync(session.SessionId, At(4, 4, positive: false));
        Assert.NotEqual(checksumBefore, await server.ChecksumAsync(workspace)); // the MI step moved the weights

        var undo = await server.Client.UndoAsync(session.SessionId);
        Assert.True(undo.Undone);
        Assert.Equal(2, undo.ClickCount);
        Assert.True(undo.ModelVersion > third.Summary.ModelVersion); // restoring is a new version ("undo")
        Assert.Equal(checksumBefore, await server.ChecksumAsync(workspace));
        Assert.Equal(maskBefore, await server.ServerLabelsAsync(session.SessionId));
        var versions = await server.Workspaces.ListVersionsAsync(new ListVersionsRequest { Workspace = workspace });
        Assert.Equal("undo", versions.Versions[^1].Kind);
        Assert.Equal(1, versions.Versions[^1].RestoredFrom);
    }

    [Fact]
    public async Task Undo_with_no_click_left_changes_nothing()
    {
        string workspace = await server.NewWorkspaceAsync();
        var session = await server.OpenAsync(workspace, Brain2D(seed: 24).Image);
        string before = await server.ChecksumAsync(workspace);
        var undo = await server.Client.UndoAsync(session.SessionId);
        Assert.False(undo.Undone);
        Assert.Null(undo.Delta.Box);
        Assert.Equal(before, await server.ChecksumAsync(workspace));
    }

    [Fact]
    public async Task Commit_streams_the_post_interaction_steps_and_creates_new_versions()
    {
        string workspace = await server.NewWorkspaceAsync("pi");
        var session = await server.OpenAsync(workspace, Brain2D(seed: 25).Image);
        var reply = await server.Client.ClickAsync(session.SessionId, At(16, 16));
        Assert.Empty(reply.Steps); // PI alone learns at commit only
        Assert.Equal(0, reply.Summary.ModelVersion);

        var streamed = new List<Service.V1.AdaptationStep>();
        var commit = await server.Client.CommitAsync(session.SessionId, streamed.Add);
        Assert.NotEmpty(commit.Steps);
        Assert.Equal(commit.Steps, streamed);
        Assert.All(commit.Steps, s => Assert.StartsWith("pi-stage", s.Kind));
        Assert.Equal(commit.Steps.Count(s => s.Applied), commit.Summary.StepsApplied);
        Assert.Equal(commit.Summary.StepsApplied, commit.Summary.ModelVersion);

        var versions = await server.Workspaces.ListVersionsAsync(new ListVersionsRequest { Workspace = workspace });
        Assert.Equal(commit.Summary.ModelVersion, versions.CurrentVersion);
        Assert.Equal("source", versions.Versions[0].Kind);
        Assert.Contains(versions.Versions, v => v.Kind == "pi-stage1");
        var close = await server.Client.CloseSessionAsync(session.SessionId);
        Assert.True(close.Committed);
    }

    [Fact]
    public async Task Rollback_restores_an_earlier_version_and_reset_the_source()
    {
        string workspace = await server.NewWorkspaceAsync("mi");
        string source = await server.ChecksumAsync(workspace);
        var session = await server.OpenAsync(workspace, Brain2D(seed: 26).Image);
        var first = await server.Client.ClickAsync(session.SessionId, At(16, 16));
        string atFirst = await server.ChecksumAsync(workspace);
        await server.Client.ClickAsync(session.SessionId, At(3, 3, positive: false));
        await server.Client.ClickAsync(session.SessionId, At(20, 20));

        var rolled = await server.Workspaces.RollbackAsync(new RollbackRequest { Workspace = workspace, Version = first.Summary.ModelVersion });
        Assert.Equal(atFirst, await server.ChecksumAsync(workspace));
        var versions = await server.Workspaces.ListVersionsAsync(new ListVersionsRequest { Workspace = workspace });
        Assert.Equal(("rollback", first.Summary.ModelVersion, rolled.ModelVersion), (versions.Versions[^1].Kind, versions.Versions[^1].RestoredFrom, versions.Versions[^1].Version));

        var reset = await server.Workspaces.ResetToSourceAsync(new ResetToSourceRequest { Workspace = workspace });
        Assert.Equal(source, await server.ChecksumAsync(workspace));
        Assert.Equal(rolled.ModelVersion + 1, reset.ModelVersion);
        versions = await server.Workspaces.ListVersionsAsync(new ListVersionsRequest { Workspace = workspace });
        Assert.Equal("reset", versions.Versions[^1].Kind);
    }

    [Fact]
    public async Task A_2D_RGB_image_works_in_a_three_class_workspace()
    {
        string workspace = await server.NewWorkspaceAsync("pi+mi", TinyModels.Rgb);
        var session = await server.OpenAsync(workspace, Rgb(seed: 27), targetClass: 2);
        var mask = new RemoteMask(session.Dims.ToArray());
        mask.Apply((await server.Client.ClickAsync(session.SessionId, At(16, 16))).Mask.Delta);
        mask.Apply((await server.Client.ClickAsync(session.SessionId, new Click { Axis = 2, I = 5, J = 5, ClassIndex = 1 })).Mask.Delta);
        Assert.Equal(await server.ServerLabelsAsync(session.SessionId), mask.Labels);
        Assert.Contains((await server.Client.CommitAsync(session.SessionId)).Steps, s => s.Kind == "pi-stage1");
    }
}
