using Grpc.Core;
using Oaims.Service.Grpc;
using Oaims.Service.V1;

namespace Oaims.Service.Tests;

[Collection("server")]
public sealed class PathRefusalTests(ServerFixture server)
{
    string Root => server.Server.Sidecar.CheckpointRoot;

    [Fact]
    public async Task Saving_or_exporting_through_a_symbolic_link_under_the_root_is_refused_and_writes_nothing_behind_it()
    {
        string workspace = await server.NewWorkspaceAsync();
        Directory.CreateDirectory(Root);
        // The link points at another folder under the root, as a link into another workspace's saved state would.
        string other = Path.Combine(Root, $"other-{Guid.NewGuid():N}");
        Directory.CreateDirectory(other);
        string link = $"link-{Guid.NewGuid():N}";
        Directory.CreateSymbolicLink(Path.Combine(Root, link), other);

        foreach (string path in new[] { link, $"{link}/inner" })
        {
            var e = await Refusals.Expect(StatusCode.InvalidArgument, async () => await server.Workspaces.SaveCheckpointAsync(new SaveCheckpointRequest { Workspace = workspace, Path = path }));
            Assert.Contains("symbolic link", e.Status.Detail);
            await Refusals.Expect(StatusCode.InvalidArgument, async () => await server.Workspaces.ExportCheckpointAsync(new ExportCheckpointRequest { Workspace = workspace, Path = path }));
            await Refusals.Expect(StatusCode.InvalidArgument, async () => await server.Workspaces.CreateWorkspaceAsync(new CreateWorkspaceRequest { Name = $"r-{Guid.NewGuid():N}"[..12], RestoreFrom = path }));
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(other));
    }

    [Theory]
    [InlineData("a folder name of 300 characters", 1, 300)]
    [InlineData("a folder name of 256 UTF-8 bytes", 1, 128, 'é')]
    [InlineData("2 000 characters in all", 10, 200)]
    public async Task A_path_too_long_for_the_file_system_is_an_invalid_argument(string what, int folders, int length, char letter = 'p')
    {
        string workspace = await server.NewWorkspaceAsync();
        string path = string.Join('/', Enumerable.Repeat(new string(letter, length), folders));
        var e = await Refusals.Expect(StatusCode.InvalidArgument, async () => await server.Workspaces.SaveCheckpointAsync(new SaveCheckpointRequest { Workspace = workspace, Path = path }));
        Assert.True(e.Status.Detail.Length <= UserInput.MaxSentence, what);
        await Refusals.Expect(StatusCode.InvalidArgument, async () => await server.Workspaces.ExportCheckpointAsync(new ExportCheckpointRequest { Workspace = workspace, Path = path }));
    }

    [Fact]
    public async Task Exporting_onto_an_existing_file_is_refused_and_leaves_the_file_alone()
    {
        string workspace = await server.NewWorkspaceAsync();
        Directory.CreateDirectory(Root);
        string file = $"file-{Guid.NewGuid():N}";
        File.WriteAllText(Path.Combine(Root, file), "keep me");
        await Refusals.Expect(StatusCode.InvalidArgument, async () => await server.Workspaces.ExportCheckpointAsync(new ExportCheckpointRequest { Workspace = workspace, Path = file }));
        await Refusals.Expect(StatusCode.InvalidArgument, async () => await server.Workspaces.SaveCheckpointAsync(new SaveCheckpointRequest { Workspace = workspace, Path = $"{file}/inner" }));
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(Root, file)));
    }

    [Theory]
    [InlineData("a\nb")]
    [InlineData("saved\n")]
    [InlineData("a\0b")]
    [InlineData("tab\tname")]
    public async Task A_path_with_a_control_character_is_an_invalid_argument(string path)
    {
        string workspace = await server.NewWorkspaceAsync();
        await Refusals.Expect(StatusCode.InvalidArgument, async () => await server.Workspaces.SaveCheckpointAsync(new SaveCheckpointRequest { Workspace = workspace, Path = path }));
        Assert.False(Directory.Exists(Path.Combine(Root, path)));
    }

    [Fact]
    public void A_full_disk_is_resource_exhausted_and_names_no_server_path()
    {
        // /dev/full answers every write with ENOSPC, as a full disk does.
        var full = Assert.ThrowsAny<IOException>(() => File.WriteAllBytes("/dev/full", new byte[1]));
        var (code, message) = ErrorMappingInterceptor.Classify(full);
        Assert.Equal(StatusCode.ResourceExhausted, code);
        Assert.DoesNotContain("/dev/full", message);
    }

    [Fact]
    public void File_system_refusals_are_the_callers_to_fix_not_internal_errors()
    {
        var tooLong = Assert.Throws<PathTooLongException>(() => Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), new string('a', 300))));
        Assert.Equal(StatusCode.InvalidArgument, ErrorMappingInterceptor.Classify(tooLong).Code);
        string file = Path.GetTempFileName();
        var inTheWay = Assert.ThrowsAny<IOException>(() => Directory.CreateDirectory(file));
        Assert.Equal(StatusCode.FailedPrecondition, ErrorMappingInterceptor.Classify(inTheWay).Code);
        File.Delete(file);
        // Tests run as root here, so a real permission refusal cannot be provoked; the mapping is checked on the type.
        Assert.Equal(StatusCode.FailedPrecondition, ErrorMappingInterceptor.Classify(new UnauthorizedAccessException("Access to the path '/srv/x' is denied.")).Code);
    }
}
