using Grpc.Core;
using Oaims.Service.V1;
using static Oaims.Service.Tests.TestImages;

namespace Oaims.Service.Tests;

[Collection("server")]
public sealed class SessionRefusalTests(ServerFixture server)
{
    public static TheoryData<string, int, int, int, int, int> BadClicks() => new()
    {
        // what, axis, i, j, k, class (-1: positive = true)
        { "i beyond the image", 2, 32, 5, 0, -1 },
        { "j beyond the image", 2, 5, 40, 0, -1 },
        { "negative i", 2, -1, 5, 0, -1 },
        { "k beyond a 2D image", 2, 5, 5, 1, -1 },
        { "axis 3", 3, 5, 5, 0, -1 },
        { "negative axis", -1, 5, 5, 0, -1 },
        { "axis 0 on a 2D image", 0, 5, 5, 0, -1 },
        { "axis 1 on a 2D image", 1, 5, 5, 0, -1 },
        { "class the model does not have", 2, 5, 5, 0, 2 },
        { "negative class", 2, 5, 5, 0, -5 },
    };

    [Theory]
    [MemberData(nameof(BadClicks))]
    public async Task Bad_clicks_are_invalid_arguments_and_leave_weights_and_mask_alone(string what, int axis, int i, int j, int k, int cls)
    {
        string workspace = await server.NewWorkspaceAsync();
        var session = await server.OpenAsync(workspace, Brain2D(seed: 5).Image);
        string before = await server.ChecksumAsync(workspace);
        var click = new Click { Axis = axis, I = i, J = j, K = k };
        if (cls == -1) click.Positive = true; else click.ClassIndex = cls;
        var e = await Refusals.Expect(StatusCode.InvalidArgument, () => server.Client.ClickAsync(session.SessionId, click));
        Assert.False(string.IsNullOrEmpty(what + e.Status.Detail));
        Assert.All(await server.ServerLabelsAsync(session.SessionId), b => Assert.Equal(0, b));
        Assert.Equal(0, (await server.Segmentation.HeartbeatAsync(new HeartbeatRequest { SessionId = session.SessionId })).ClickCount);
        await server.AssertStillServingAsync(workspace, before);
    }

    [Fact]
    public async Task A_click_without_label_or_without_click_is_an_invalid_argument()
    {
        var session = await server.OpenAsync(TinyModels.Brain, Brain2D(seed: 5).Image);
        await Refusals.Expect(StatusCode.InvalidArgument, () => server.Client.ClickAsync(session.SessionId, new Click { Axis = 2, I = 1, J = 1 }));
        await Refusals.Expect(StatusCode.InvalidArgument, async () =>
        {
            using var call = server.Segmentation.Interact(new InteractRequest { SessionId = session.SessionId });
            await call.ResponseStream.MoveNext(CancellationToken.None);
        });
        await server.Client.CloseSessionAsync(session.SessionId);
    }

    [Fact]
    public async Task Clicks_on_any_axis_inside_a_3D_image_are_accepted()
    {
        string workspace = await server.NewWorkspaceAsync("none");
        var session = await server.OpenAsync(workspace, Brain3D(seed: 1).Image);
        foreach (var (axis, slice) in new[] { (0, 3), (1, 4), (2, 5) })
        {
            var reply = await server.Client.ClickAsync(session.SessionId, new Click { Axis = axis, I = 3, J = 4, K = 5, Positive = true });
            Assert.Equal(axis, reply.Mask.Axis);
            Assert.Equal(slice, reply.Mask.Slice);
        }
        await server.Client.CloseSessionAsync(session.SessionId);
    }

    [Fact]
    public async Task Unknown_sessions_are_not_found_on_every_session_call()
    {
        const string id = "0123456789abcdef0123456789abcdef";
        await Refusals.Expect(StatusCode.NotFound, () => server.Client.ClickAsync(id, new Click { Axis = 2, Positive = true }));
        await Refusals.Expect(StatusCode.NotFound, () => server.Client.UndoAsync(id));
        await Refusals.Expect(StatusCode.NotFound, () => server.Client.CommitAsync(id));
        await Refusals.Expect(StatusCode.NotFound, () => server.Client.GetMaskAsync(id));
        await Refusals.Expect(StatusCode.NotFound, () => server.Client.CloseSessionAsync(id));
        await Refusals.Expect(StatusCode.NotFound, async () => await server.Segmentation.HeartbeatAsync(new HeartbeatRequest { SessionId = id }));
        await Refusals.Expect(StatusCode.InvalidArgument, () => server.Client.UndoAsync(""));
    }

    [Fact]
    public async Task Opening_a_session_checks_workspace_image_class_and_lease()
    {
        var reference = await server.Client.UploadAsync(Brain2D(seed: 6).Image);
        await Refusals.Expect(StatusCode.NotFound, () => server.Client.OpenSessionAsync("no-such-workspace", reference.ImageId, 1));
        await Refusals.Expect(StatusCode.NotFound, () => server.Client.OpenSessionAsync(TinyModels.Brain, new string('0', 64), 1));
        await Refusals.Expect(StatusCode.InvalidArgument, () => server.Client.OpenSessionAsync(TinyModels.Brain, "", 1));
        await Refusals.Expect(StatusCode.InvalidArgument, () => server.Client.OpenSessionAsync(TinyModels.Brain, reference.ImageId, 0));
        await Refusals.Expect(StatusCode.InvalidArgument, () => server.Client.OpenSessionAsync(TinyModels.Brain, reference.ImageId, 2));
        await Refusals.Expect(StatusCode.InvalidArgument, () => server.Client.OpenSessionAsync(TinyModels.Brain, reference.ImageId, 1, leaseSeconds: -1));
        // A 1-channel image in a 3-channel model's workspace.
        await Refusals.Expect(StatusCode.InvalidArgument, () => server.Client.OpenSessionAsync(TinyModels.Rgb, reference.ImageId, 1));
    }

    [Fact]
    public async Task An_expired_session_is_a_failed_precondition()
    {
        string workspace = await server.NewWorkspaceAsync();
        var session = await server.OpenAsync(workspace, Brain2D(seed: 7).Image, leaseSeconds: 1);
        string before = await server.ChecksumAsync(workspace);
        await Task.Delay(1300);
        var e = await Refusals.Expect(StatusCode.FailedPrecondition, () => server.Client.ClickAsync(session.SessionId, new Click { Axis = 2, I = 3, J = 3, Positive = true }));
        Assert.Contains("expired", e.Status.Detail);
        await Refusals.Expect(StatusCode.FailedPrecondition, async () => await server.Segmentation.HeartbeatAsync(new HeartbeatRequest { SessionId = session.SessionId }));
        await server.AssertStillServingAsync(workspace, before);
    }

    [Fact]
    public async Task Heartbeats_keep_an_idle_session_alive()
    {
        var session = await server.OpenAsync(TinyModels.Brain, Brain2D(seed: 8).Image, leaseSeconds: 1);
        for (int n = 0; n < 4; n++)
        {
            await Task.Delay(400);
            var info = await server.Segmentation.HeartbeatAsync(new HeartbeatRequest { SessionId = session.SessionId });
            Assert.True(info.ExpiresAt.ToDateTimeOffset() > DateTimeOffset.UtcNow);
        }
        await server.Client.ClickAsync(session.SessionId, new Click { Axis = 2, I = 3, J = 3, Positive = false });
        await server.Client.CloseSessionAsync(session.SessionId);
    }

    [Fact]
    public async Task A_closed_session_is_not_found_afterwards()
    {
        var session = await server.OpenAsync(TinyModels.Brain, Brain2D(seed: 9).Image);
        await server.Client.CloseSessionAsync(session.SessionId);
        await Refusals.Expect(StatusCode.NotFound, () => server.Client.ClickAsync(session.SessionId, new Click { Axis = 2, Positive = true }));
    }

    [Fact]
    public async Task A_committed_session_refuses_more_clicks_and_a_second_commit()
    {
        string workspace = await server.NewWorkspaceAsync();
        var session = await server.OpenAsync(workspace, Brain2D(seed: 10).Image);
        await server.Client.ClickAsync(session.SessionId, new Click { Axis = 2, I = 10, J = 10, Positive = true });
        await server.Client.CommitAsync(session.SessionId);
        string before = await server.ChecksumAsync(workspace);
        await Refusals.Expect(StatusCode.FailedPrecondition, () => server.Client.ClickAsync(session.SessionId, new Click { Axis = 2, I = 3, J = 3, Positive = true }));
        await Refusals.Expect(StatusCode.FailedPrecondition, () => server.Client.CommitAsync(session.SessionId));
        Assert.False((await server.Client.UndoAsync(session.SessionId)).Undone);
        await server.AssertStillServingAsync(workspace, before);
    }
}
