using Grpc.Core;
using Oaims.Service.V1;
using VoxelType = Oaims.Service.V1.VoxelType;
using static Oaims.Service.Tests.TestImages;

namespace Oaims.Service.Tests;

[Collection("server")]
public sealed class NameRefusalTests(ServerFixture server)
{
    [Theory]
    [InlineData("w-newline\n")]
    [InlineData("w-crlf\r\n")]
    [InlineData(".")]
    [InlineData("..")]
    public async Task A_workspace_name_is_matched_exactly_so_a_trailing_newline_or_a_bare_dot_is_refused(string name)
    {
        await Refusals.Expect(StatusCode.InvalidArgument, async () => await server.Workspaces.CreateWorkspaceAsync(new CreateWorkspaceRequest { Name = name, Model = TinyModels.Brain }));
        Assert.DoesNotContain((await server.Workspaces.ListWorkspacesAsync(new ListWorkspacesRequest())).Workspaces, w => w.Name == name);
    }

    [Fact]
    public async Task An_export_model_name_with_a_trailing_newline_is_refused()
    {
        string workspace = await server.NewWorkspaceAsync();
        string path = $"export-{Guid.NewGuid():N}";
        await Refusals.Expect(StatusCode.InvalidArgument, async () => await server.Workspaces.ExportCheckpointAsync(new ExportCheckpointRequest { Workspace = workspace, Path = path, Name = "exported\n" }));
        Assert.False(Directory.Exists(Path.Combine(server.Server.Sidecar.CheckpointRoot, path)));
    }

    [Fact]
    public async Task A_huge_name_is_quoted_in_at_most_100_characters_of_the_refusal()
    {
        // 200 000 characters fit the test server's 256 KiB messages; echoed whole they would not even fit a reply header.
        string huge = new('n', 200_000);
        var e = await Refusals.Expect(StatusCode.InvalidArgument, async () => await server.Workspaces.CreateWorkspaceAsync(new CreateWorkspaceRequest { Name = huge, Model = TinyModels.Brain }));
        Assert.Contains("(200000 characters)", e.Status.Detail);
        Assert.True(e.Status.Detail.Length <= UserInput.MaxSentence, e.Status.Detail);
        e = await Refusals.Expect(StatusCode.NotFound, async () => await server.Workspaces.GetWorkspaceAsync(new GetWorkspaceRequest { Workspace = huge }));
        Assert.True(e.Status.Detail.Length <= UserInput.MaxSentence, e.Status.Detail);
    }

    [Theory]
    [InlineData("a name of 257 characters", 257, 'n')]
    [InlineData("a newline", 1, '\n')]
    [InlineData("a NUL", 1, '\0')]
    public async Task An_image_name_over_256_characters_or_with_control_characters_is_refused(string what, int length, char letter)
    {
        var header = Header([2, 2, 1], 1, VoxelType.Uint8);
        header.Name = "scan" + new string(letter, length);
        var e = await Refusals.Expect(StatusCode.InvalidArgument, () => RawUploadAsync(server.Segmentation, header, new byte[4]));
        Assert.Contains("image name", e.Status.Detail);
        Assert.False(string.IsNullOrEmpty(what));
    }

    [Fact]
    public async Task An_image_name_of_256_characters_is_accepted()
    {
        var header = Header([2, 2, 1], 1, VoxelType.Uint8);
        header.Name = new string('n', 256);
        var reference = await RawUploadAsync(server.Segmentation, header, Guid.NewGuid().ToByteArray()[..4]); // content no other test uploads
        Assert.Equal(header.Name, reference.Name);
    }

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef\n")]
    [InlineData("0123456789ABCDEF0123456789ABCDEF")]
    [InlineData("nope")]
    public async Task A_malformed_session_id_is_an_invalid_argument_before_any_lookup(string id)
    {
        var e = await Refusals.Expect(StatusCode.InvalidArgument, async () => await server.Segmentation.HeartbeatAsync(new HeartbeatRequest { SessionId = id }));
        Assert.Contains("32 lowercase hex digits", e.Status.Detail);
    }

    [Fact]
    public async Task A_malformed_image_id_is_an_invalid_argument_and_a_well_formed_unknown_one_is_simply_not_known()
    {
        await Refusals.Expect(StatusCode.InvalidArgument, async () => await server.Segmentation.FindImageAsync(new FindImageRequest { ImageId = new string('a', 64) + "\n" }));
        await Refusals.Expect(StatusCode.InvalidArgument, () => server.Client.OpenSessionAsync(TinyModels.Brain, "nope", 1));
        Assert.False((await server.Segmentation.FindImageAsync(new FindImageRequest { ImageId = new string('a', 64) })).Known);
    }
}
