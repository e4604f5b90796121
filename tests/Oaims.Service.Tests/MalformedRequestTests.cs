using Grpc.Core;
using Grpc.Net.Client;
using Oaims.Cli;
using Oaims.Cli.Reliability;
using Oaims.Service.V1;

namespace Oaims.Service.Tests;

// A server of its own, with a datastore (the shared one has none), so that the Datastore RPCs meet real images.
public sealed class MalformedRequestTests
{
    [Fact]
    public async Task Hundreds_of_malformed_requests_over_every_rpc_are_refused_with_a_clear_sentence_and_change_nothing()
    {
        await using var server = await DatastoreServer.StartAsync(images: 2);
        using var channel = GrpcChannel.ForAddress(server.Server.Address);
        var invoker = channel.CreateCallInvoker();
        string workspace = $"t-{Guid.NewGuid():N}"[..14];
        await server.Client.Workspaces.CreateWorkspaceAsync(new CreateWorkspaceRequest { Name = workspace, Model = TinyModels.Brain });
        string before = await ChecksumAsync(server.Client, workspace);
        var (file, link, outside) = PlantFileAndLink(server.Server.Sidecar.CheckpointRoot, "malformed");
        var target = await (await MalformedTarget.OpenAsync(server.Client, workspace) with { FileUnderRoot = file, SymlinkUnderRoot = link }).WithDatastoreAsync(invoker);
        Assert.Equal((TinyModels.Brain, ServerFixture.TestLimits.MaxMessageBytes), (target.Model, target.MaxMessageBytes));

        var outcomes = new List<MalformedOutcome>();
        foreach (var request in new MalformedRequests(target).Generate(600, seed: 1))
            outcomes.Add(await request.RunAsync(invoker, TimeSpan.FromSeconds(20)));

        var unclear = outcomes.Where(o => o.Code is StatusCode.OK or StatusCode.Internal or StatusCode.Unknown or StatusCode.DeadlineExceeded).ToList();
        Assert.True(unclear.Count == 0, $"{unclear.Count} request(s) without a clear refusal:\n{string.Join("\n", unclear.Take(30))}");
        var rambling = outcomes.Where(o => !IsBoundedSentence(o.Detail)).ToList();
        Assert.True(rambling.Count == 0, $"{rambling.Count} detail(s) that are not one bounded sentence:\n{string.Join("\n", rambling.Take(10).Select(o => o.ToString()[..Math.Min(400, o.ToString().Length)]))}");
        Assert.Equal(MalformedRequests.Methods.Order(), outcomes.Select(o => o.Method).Distinct().Order());
        Assert.Equal("not a folder", File.ReadAllText(Path.Combine(server.Server.Sidecar.CheckpointRoot, file)));
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
        var images = (await server.Datastore.ListImagesAsync(new ListImagesRequest())).Images;
        Assert.Equal([("case0", DatastoreImageStatus.Leased, 0), ("case1", DatastoreImageStatus.Unlabelled, 0)], images.Select(i => (i.Id, i.Status, i.LabelVersions)));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(server.Folder, "labels"), "*", SearchOption.AllDirectories));
        await ServerFixture.AssertStillServingAsync(server.Client, workspace, before);
    }

    [Fact]
    public void The_same_seed_gives_the_same_requests_and_another_seed_another_order()
    {
        var target = new MalformedTarget("w", "m", new string('a', 32), new string('b', 64), [8, 8, 1], 1 << 20)
        {
            Datastore = new MalformedDatastoreTarget("case0", "case1", new string('c', 32), [8, 8, 4]),
        };
        string[] Cases(int seed) => [.. new MalformedRequests(target).Generate(300, seed).Select(r => r.ToString())];
        Assert.Equal(Cases(7), Cases(7));
        Assert.NotEqual(Cases(7), Cases(8));
        Assert.Equal(300, Cases(7).Length);
    }

    static async Task<string> ChecksumAsync(RemoteClient client, string workspace) =>
        (await client.Workspaces.GetWorkspaceAsync(new GetWorkspaceRequest { Workspace = workspace, IncludeChecksum = true })).WeightsChecksum;

    /// <summary>A plain file and a symbolic link (to an empty folder outside) under the server's checkpoint root.</summary>
    static (string File, string Link, string Outside) PlantFileAndLink(string root, string prefix)
    {
        Directory.CreateDirectory(root);
        string file = $"{prefix}-file-{Guid.NewGuid():N}", link = $"{prefix}-link-{Guid.NewGuid():N}";
        File.WriteAllText(Path.Combine(root, file), "not a folder");
        string outside = Directory.CreateTempSubdirectory("oaims-outside-").FullName;
        Directory.CreateSymbolicLink(Path.Combine(root, link), outside);
        return (file, link, outside);
    }

    static bool IsBoundedSentence(string detail) =>
        detail.Length > 15 && detail.Length <= UserInput.MaxSentence && !detail.Contains("Exception", StringComparison.Ordinal) && !detail.Any(char.IsControl);
}
