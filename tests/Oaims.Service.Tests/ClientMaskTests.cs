using Google.Protobuf;
using Grpc.Core;
using Oaims.Cli;
using Oaims.Imaging;
using Oaims.Interaction;
using Oaims.Service.Grpc;
using Oaims.Service.V1;
using static Oaims.Service.Tests.TestImages;
using Click = Oaims.Service.V1.Click;
using MaskDelta = Oaims.Service.V1.MaskDelta;
using VoxelBox = Oaims.Interaction.VoxelBox;

namespace Oaims.Service.Tests;

/// <summary>Masks a client sends: the segment a session starts from (OpenSession) and the user's hand edits (Commit).</summary>
[Collection("server")]
public sealed class ClientMaskTests(ServerFixture server)
{
    static Click At(int i, int j, int k = 0, bool positive = true) => new() { Axis = 2, I = i, J = j, K = k, Positive = positive };

    // The labels of `box` in a volume of `dims` as one wire delta (what a client sends).
    static MaskDelta Box(byte[] labels, int[] dims, VoxelBox box) =>
        Wire.ToWire(Interaction.MaskDelta.OfBox<byte>(labels, new VolumeShape(dims[0], dims[1], dims[2]), box));

    static MaskDelta Whole(byte[] labels, int[] dims) => Box(labels, dims, new VolumeShape(dims[0], dims[1], dims[2]).All);

    async Task<SessionInfo> OpenWithAsync(string workspace, Volume image, params MaskDelta[] initialMask)
    {
        var reference = await server.Client.UploadAsync(image, chunkBytes: ServerFixture.TestLimits.UploadChunkBytes);
        var request = new OpenSessionRequest { Workspace = workspace, ImageId = reference.ImageId, TargetClass = 1 };
        request.InitialMask.Add(initialMask);
        return await server.Segmentation.OpenSessionAsync(request);
    }

    static CommitRequest CommitWith(SessionInfo session, params MaskDelta[] finalMask)
    {
        var request = new CommitRequest { SessionId = session.SessionId };
        request.FinalMask.Add(finalMask);
        return request;
    }

    // One session on the image with the same click, in a fresh PI workspace; PI learns at commit only.
    async Task<(string Workspace, SessionInfo Session)> ClickedAsync(int seed)
    {
        string workspace = await server.NewWorkspaceAsync("pi");
        var session = await server.OpenAsync(workspace, Brain2D(seed).Image);
        await server.Client.ClickAsync(session.SessionId, At(16, 16));
        return (workspace, session);
    }

    [Fact]
    public async Task A_final_mask_is_what_PI_learns_from_at_commit()
    {
        var (plain, plainSession) = await ClickedAsync(seed: 40);
        var (same, sameSession) = await ClickedAsync(seed: 40);
        var (edited, editedSession) = await ClickedAsync(seed: 40);
        var serverMask = await server.ServerLabelsAsync(sameSession.SessionId);
        var handEdited = (byte[])serverMask.Clone();
        for (int j = 4; j < 12; j++)
            for (int i = 4; i < 12; i++) handEdited[j * 32 + i] = (byte)(1 - handEdited[j * 32 + i]); // painted and erased by hand

        var withoutMask = await server.Client.CommitAsync(plainSession.SessionId);
        var withSameMask = await server.Client.CommitAsync(CommitWith(sameSession, Whole(serverMask, [32, 32, 1])));
        var withEdits = await server.Client.CommitAsync(CommitWith(editedSession, Box(handEdited, [32, 32, 1], new VoxelBox(4, 4, 0, 11, 11, 0))));

        // The mask the session already held teaches exactly what no mask does; the edited one teaches something else.
        Assert.Equal(withoutMask.Steps[0].Loss, withSameMask.Steps[0].Loss);
        Assert.NotEqual(withoutMask.Steps[0].Loss, withEdits.Steps[0].Loss);
        Assert.Equal(await server.ChecksumAsync(plain), await server.ChecksumAsync(same));
        Assert.NotEqual(await server.ChecksumAsync(plain), await server.ChecksumAsync(edited));
        Assert.Equal(handEdited, await server.ServerLabelsAsync(editedSession.SessionId)); // GetMask shows what was accepted
    }

    [Fact]
    public async Task An_initial_mask_is_the_sessions_first_mask_and_clicks_change_it_slice_by_slice()
    {
        string workspace = await server.NewWorkspaceAsync("pi");
        int[] dims = [24, 20, 6];
        var segment = new byte[24 * 20 * 6];
        for (int k = 1; k < 5; k++)
            for (int j = 5; j < 15; j++)
                for (int i = 6; i < 18; i++) segment[(k * 20 + j) * 24 + i] = 1;
        var session = await OpenWithAsync(workspace, Brain3D(seed: 41).Image, Box(segment, dims, new VoxelBox(6, 5, 1, 17, 14, 4)));
        Assert.Equal(segment, (await server.Client.GetMaskAsync(session.SessionId)).Labels);

        var mask = new RemoteMask(dims);
        Array.Copy(segment, mask.Labels, segment.Length);
        var click = await server.Client.ClickAsync(session.SessionId, At(3, 3, 2, positive: false));
        mask.Apply(click.Mask.Delta); // the delta is a change from the initial mask, which the client holds
        var labels = await server.ServerLabelsAsync(session.SessionId);
        Assert.Equal(labels, mask.Labels);
        int sliceVoxels = 24 * 20;
        Assert.Equal(segment.AsSpan(0, 2 * sliceVoxels).ToArray(), labels.AsSpan(0, 2 * sliceVoxels).ToArray()); // other slices keep it
        Assert.Equal(segment.AsSpan(3 * sliceVoxels).ToArray(), labels.AsSpan(3 * sliceVoxels).ToArray());

        mask.Apply((await server.Client.UndoAsync(session.SessionId)).Delta);
        Assert.Equal(segment, mask.Labels); // undo brings the initial mask back on the clicked slice
        Assert.Equal(segment, await server.ServerLabelsAsync(session.SessionId));
    }

    // Masks no server may take: outside the 32x32 image, a class the two-class model lacks, data that does not fill its box.
    public static TheoryData<string, MaskDelta> BadMasks()
    {
        var ones = new byte[32 * 32];
        Array.Fill(ones, (byte)1);
        var twos = new byte[32 * 32];
        Array.Fill(twos, (byte)2);
        var fine = Whole(ones, [32, 32, 1]);
        var outside = fine.Clone();
        outside.Box.MaxI = 32;
        var inverted = fine.Clone();
        inverted.Box.MinJ = 20; inverted.Box.MaxJ = 10;
        var noise = new byte[32 * 32];
        var random = new Random(1);
        for (int n = 0; n < noise.Length; n++) noise[n] = (byte)random.Next(2);
        var truncated = Whole(noise, [32, 32, 1]); // random bits do not compress: half the data is half the labels
        truncated.Data = ByteString.CopyFrom(truncated.Data.Span[..(truncated.Data.Length / 2)]);
        var notZlib = fine.Clone();
        notZlib.Data = ByteString.CopyFromUtf8("not a zlib stream at all");
        var noEncoding = fine.Clone();
        noEncoding.Encoding = Service.V1.MaskEncoding.Unspecified;
        var wrongEncoding = fine.Clone();
        wrongEncoding.Encoding = Service.V1.MaskEncoding.BytePerVoxel; // bit-packed bytes read as one byte per voxel: too short
        return new()
        {
            { "box past the image", outside }, { "inverted box", inverted }, { "class 2 of a two-class model", Whole(twos, [32, 32, 1]) },
            { "truncated data", truncated }, { "not zlib", notZlib }, { "no encoding", noEncoding }, { "wrong encoding", wrongEncoding },
        };
    }

    [Theory]
    [MemberData(nameof(BadMasks))]
    public async Task A_bad_final_mask_is_refused_and_changes_neither_mask_nor_model(string what, MaskDelta bad)
    {
        var (workspace, session) = await ClickedAsync(seed: 42);
        string before = await server.ChecksumAsync(workspace);
        var mask = await server.ServerLabelsAsync(session.SessionId);

        var e = await Refusals.Expect(StatusCode.InvalidArgument, () => server.Client.CommitAsync(CommitWith(session, bad)));
        Assert.True(e.Status.Detail.Contains("final mask", StringComparison.Ordinal), $"{what}: {e.Status.Detail}");
        Assert.Equal(mask, await server.ServerLabelsAsync(session.SessionId));
        Assert.Equal(before, await server.ChecksumAsync(workspace));
        Assert.False((await server.Segmentation.HeartbeatAsync(new HeartbeatRequest { SessionId = session.SessionId })).Committed);
        Assert.NotEmpty((await server.Client.CommitAsync(session.SessionId)).Steps); // the session can still be committed
    }

    [Theory]
    [MemberData(nameof(BadMasks))]
    public async Task A_bad_initial_mask_is_refused_and_opens_no_session(string what, MaskDelta bad)
    {
        string workspace = await server.NewWorkspaceAsync("pi");
        string before = await server.ChecksumAsync(workspace);
        var e = await Refusals.Expect(StatusCode.InvalidArgument, () => OpenWithAsync(workspace, Brain2D(seed: 43).Image, bad));
        Assert.True(e.Status.Detail.Contains("initial mask", StringComparison.Ordinal), $"{what}: {e.Status.Detail}");
        Assert.Equal(0, (await server.Workspaces.GetWorkspaceAsync(new GetWorkspaceRequest { Workspace = workspace })).OpenSessions);
        await server.AssertStillServingAsync(workspace, before);
    }

    [Fact]
    public async Task Boxes_holding_more_voxels_than_the_image_are_refused()
    {
        var (workspace, session) = await ClickedAsync(seed: 44);
        string before = await server.ChecksumAsync(workspace);
        var zeros = Whole(new byte[32 * 32], [32, 32, 1]); // a few bytes each, the whole image each
        var e = await Refusals.Expect(StatusCode.InvalidArgument, () => server.Client.CommitAsync(CommitWith(session, zeros, zeros)));
        Assert.Contains("more voxels than", e.Status.Detail);
        Assert.Equal(before, await server.ChecksumAsync(workspace));
    }
}
