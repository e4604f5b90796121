using Oaims.Service.V1;
using static Oaims.Service.Tests.TestImages;

namespace Oaims.Service.Tests;

/// <summary>Two users in one workspace: an undo never wipes what the other one taught the model.</summary>
[Collection("server")]
public sealed class SharedWorkspaceUndoTests(ServerFixture server)
{
    static Click At(int i, int j, bool positive = true) => new() { Axis = 2, I = i, J = j, K = 0, Positive = positive };

    [Fact]
    public async Task Undo_after_another_user_committed_takes_back_the_mask_but_keeps_the_weights()
    {
        string workspace = await server.NewWorkspaceAsync("pi+mi");
        var a = await server.OpenAsync(workspace, Brain2D(seed: 40).Image);
        var b = await server.OpenAsync(workspace, Brain2D(seed: 41).Image);
        await server.Client.ClickAsync(a.SessionId, At(16, 16));
        var maskBeforeAsClick = await server.ServerLabelsAsync(a.SessionId);
        var aClick = await server.Client.ClickAsync(a.SessionId, At(12, 14)); // A's MI update
        Assert.NotEmpty(aClick.Steps);

        await server.Client.ClickAsync(b.SessionId, At(15, 15));
        var bCommit = await server.Client.CommitAsync(b.SessionId); // B's learning lands on top of A's click
        Assert.True(bCommit.Summary.ModelVersion > aClick.Summary.ModelVersion);
        string afterB = await server.ChecksumAsync(workspace);

        var undo = await server.Client.UndoAsync(a.SessionId);
        Assert.True(undo.Undone);
        Assert.Equal(UndoWeights.Kept, undo.Weights);
        Assert.Contains("changed since this click", undo.WeightsKeptReason);
        Assert.Equal(bCommit.Summary.ModelVersion, undo.ModelVersion); // no new version: nothing restored
        Assert.Equal(afterB, await server.ChecksumAsync(workspace));
        Assert.Equal(maskBeforeAsClick, await server.ServerLabelsAsync(a.SessionId));
    }

    [Fact]
    public async Task Undo_while_nothing_else_changed_takes_back_the_click_and_its_update_even_with_two_sessions_open()
    {
        string workspace = await server.NewWorkspaceAsync("pi+mi");
        var a = await server.OpenAsync(workspace, Brain2D(seed: 42).Image);
        var b = await server.OpenAsync(workspace, Brain2D(seed: 43).Image);
        await server.Client.ClickAsync(b.SessionId, At(15, 15)); // B's first click: no update
        await server.Client.ClickAsync(a.SessionId, At(16, 16));
        string beforeAsUpdate = await server.ChecksumAsync(workspace);
        await server.Client.ClickAsync(a.SessionId, At(12, 14));
        Assert.NotEqual(beforeAsUpdate, await server.ChecksumAsync(workspace));

        var undo = await server.Client.UndoAsync(a.SessionId);
        Assert.Equal((true, UndoWeights.Restored, ""), (undo.Undone, undo.Weights, undo.WeightsKeptReason));
        Assert.Equal(beforeAsUpdate, await server.ChecksumAsync(workspace));
    }

    [Fact]
    public async Task Undo_of_a_click_that_changed_no_weights_says_so()
    {
        string workspace = await server.NewWorkspaceAsync("pi+mi");
        var a = await server.OpenAsync(workspace, Brain2D(seed: 44).Image);
        await server.Client.ClickAsync(a.SessionId, At(16, 16)); // MI learns from the second click on
        var undo = await server.Client.UndoAsync(a.SessionId);
        Assert.Equal((true, UndoWeights.NoUpdate), (undo.Undone, undo.Weights));
    }
}
