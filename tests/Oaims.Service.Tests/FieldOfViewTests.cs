using Grpc.Core;
using Oaims.Service.V1;
using static Oaims.Service.Tests.TestImages;

namespace Oaims.Service.Tests;

/// <summary>A session's field of view: the window of each slice the first click centres the model on.</summary>
[Collection("server")]
public sealed class FieldOfViewTests(ServerFixture server)
{
    static Click At(int i, int j, bool positive = true) => new() { Axis = 2, I = i, J = j, K = 0, Positive = positive };

    async Task<SessionInfo> OpenAsync(int fieldOfView)
    {
        string workspace = await server.NewWorkspaceAsync("none");
        var image = await server.Client.UploadAsync(Brain2D(seed: 7).Image, chunkBytes: ServerFixture.TestLimits.UploadChunkBytes);
        return await server.Segmentation.OpenSessionAsync(new OpenSessionRequest { Workspace = workspace, ImageId = image.ImageId, TargetClass = 1, FieldOfView = fieldOfView });
    }

    [Fact]
    public async Task The_mask_is_background_outside_the_window_the_first_click_centres()
    {
        var session = await OpenAsync(fieldOfView: 16);
        Assert.Equal(16, session.FieldOfView);

        await server.Client.ClickAsync(session.SessionId, At(24, 24)); // the window: x and y 16..31 of the 32x32 slice
        var labels = await server.ServerLabelsAsync(session.SessionId);

        static int OutsideWindow(byte[] mask) => Enumerable.Range(0, 32 * 32).Count(v => (v % 32 < 16 || v / 32 < 16) && mask[v] != 0);
        Assert.Equal(0, OutsideWindow(labels));
        Assert.Contains(labels, l => l != 0);

        // The same click without a field of view: the model marks lesion outside that window too, so the window is what cleared it.
        var whole = await OpenAsync(fieldOfView: 0);
        await server.Client.ClickAsync(whole.SessionId, At(24, 24));
        Assert.NotEqual(0, OutsideWindow(await server.ServerLabelsAsync(whole.SessionId)));
    }

    [Fact]
    public async Task A_later_click_outside_the_window_is_invalid_and_leaves_the_mask_as_it_was()
    {
        var session = await OpenAsync(fieldOfView: 16);
        await server.Client.ClickAsync(session.SessionId, At(24, 24));
        var before = await server.ServerLabelsAsync(session.SessionId);

        var refusal = await Refusals.Expect(StatusCode.InvalidArgument, () => server.Client.ClickAsync(session.SessionId, At(2, 2, positive: false)));

        Assert.Contains("field of view", refusal.Status.Detail);
        Assert.Equal(before, await server.ServerLabelsAsync(session.SessionId));
    }

    [Fact]
    public async Task A_negative_field_of_view_is_invalid()
    {
        var refusal = await Refusals.Expect(StatusCode.InvalidArgument, () => OpenAsync(fieldOfView: -1));
        Assert.Contains("field of view", refusal.Status.Detail);
    }
}
