using System.CommandLine;
using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using Oaims.Imaging;
using Oaims.Service.V1;
using static Oaims.Cli.CliOptions;

namespace Oaims.Cli.Reliability;

/// <summary>
/// `oaims soak` (`make soak`): the long reliability run against real `oaims serve` processes: malformed requests over every
/// RPC, SIGKILL during commits, saves and exports with restart and verification, concurrent annotators, and memory under
/// many uploads. Writes its figures, with the command, commit and machine, to docs/reliability.md; exits 1 when a check fails.
/// </summary>
public static class SoakCommand
{
    public sealed record Settings(string Models, string Model, int Malformed, int Kills, int Clients, int Clicks, int Uploads, int MemoryBudgetMb,
        int AllowanceMb, int Seed, string? Output);

    public static Command Create()
    {
        var models = WithDefault("--models", "models", "folder of checkpoints the servers load");
        var model = WithDefault("--model", "brain-flair", "one-channel model to annotate with");
        var malformed = WithDefault("--malformed", 1200, "malformed requests to send");
        var kills = WithDefault("--kills", 20, "SIGKILLs during commits, saves and exports, each followed by a restart and a check");
        var clients = WithDefault("--clients", 8, "annotators clicking at once in one workspace");
        var clicks = WithDefault("--clicks", 20, "clicks per annotator");
        var uploads = WithDefault("--uploads", 200, "distinct volumes uploaded for the memory check");
        var budget = WithDefault("--memory-budget-mb", 1024, "the memory budget of the server in the memory check");
        var allowance = WithDefault("--allowance-mb", 512, "what the server's resident memory may exceed the budget by (runtime, LibTorch, buffers in flight)");
        var seed = WithDefault("--seed", 0, "seed of the request generator and the kill times");
        var output = Optional("--out", "markdown file to write (e.g. docs/reliability.md)");
        var command = new Command("soak", "Run the long reliability checks against real server processes and write docs/reliability.md.");
        foreach (var o in new Option[] { models, model, malformed, kills, clients, clicks, uploads, budget, allowance, seed, output }) command.Options.Add(o);
        command.SetAction(async (parse, cancellation) =>
        {
            var settings = new Settings(parse.GetValue(models)!, parse.GetValue(model)!, parse.GetValue(malformed), parse.GetValue(kills), parse.GetValue(clients),
                parse.GetValue(clicks), parse.GetValue(uploads), parse.GetValue(budget), parse.GetValue(allowance), parse.GetValue(seed), parse.GetValue(output));
            return await RunAsync(settings, Environment.CommandLine);
        });
        return command;
    }

    public static async Task<int> RunAsync(Settings settings, string commandLine)
    {
        string root = Directory.CreateTempSubdirectory("oaims-soak-").FullName;
        var report = new SoakReport(settings, commandLine);
        try
        {
            string[] Flags(string name, params string[] more) =>
                ["--models", Path.GetFullPath(settings.Models), "--checkpoints", Path.Combine(root, name), "--log-level", "Error", .. more];

            Console.Error.WriteLine($"soak: {settings.Malformed} malformed requests");
            string datastore = WriteDatastore(Path.Combine(root, "datastore"));
            await using (var server = await ServerProcess.StartAsync(Flags("malformed", "--datastore", datastore)))
                report.Malformed = await SendMalformedAsync(server, settings, Path.Combine(root, "malformed"));

            Console.Error.WriteLine($"soak: {settings.Kills} kills during commits, saves and exports");
            report.Kills = await new KillDuringWrites(Flags("kills"), Path.Combine(root, "kills"), "soak", settings.Model, 256, Console.Error)
                .RunAsync(settings.Kills, settings.Seed);

            Console.Error.WriteLine($"soak: {settings.Clients} annotators x {settings.Clicks} clicks");
            await using (var server = await ServerProcess.StartAsync(Flags("clients")))
            {
                report.Annotators = await ConcurrentAnnotators.RunAsync(server.Address, "soak-shared", settings.Model, settings.Clients, settings.Clicks, 256);
                report.Crashes += server.HasExited ? 1 : 0;
            }

            Console.Error.WriteLine($"soak: {settings.Uploads} uploads under a {settings.MemoryBudgetMb} MiB budget");
            await using (var server = await ServerProcess.StartAsync(Flags("memory", "--memory-budget-mb", settings.MemoryBudgetMb.ToString(CultureInfo.InvariantCulture))))
            {
                report.Memory = await UploadMemory.RunAsync(server, settings.Model, settings.Uploads, [160, 160, 80],
                    (long)settings.MemoryBudgetMb << 20, (long)settings.AllowanceMb << 20);
                report.Crashes += server.HasExited ? 1 : 0;
            }
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
        string markdown = report.ToMarkdown();
        if (settings.Output is { } path) AtomicFile.WriteAllText(path, markdown);
        Console.Out.Write(markdown);
        return report.Passed ? 0 : 1;
    }

    // Two small 3D phantoms as NIfTI files: a datastore for the Datastore and Propagation requests to aim at.
    static string WriteDatastore(string folder)
    {
        Directory.CreateDirectory(folder);
        for (int n = 0; n < 2; n++)
            VolumeIO.Write(Phantom.Generate3D(48, 48, 8, seed: n).Image, Path.Combine(folder, $"case{n}.nii.gz"), Imaging.VoxelType.Int16);
        return folder;
    }

    // Malformed requests aimed at a real workspace, an open session and the datastore; the workspace's weights must not
    // move, and no label may be stored nor image leased by a refused request.
    static async Task<MalformedSummary> SendMalformedAsync(ServerProcess server, Settings settings, string checkpointRoot)
    {
        using var client = new RemoteClient(server.Address);
        const string workspace = "soak-target";
        await client.Workspaces.CreateWorkspaceAsync(new CreateWorkspaceRequest { Name = workspace, Model = settings.Model });
        Directory.CreateDirectory(checkpointRoot);
        File.WriteAllText(Path.Combine(checkpointRoot, "a-file"), "not a checkpoint");
        File.CreateSymbolicLink(Path.Combine(checkpointRoot, "a-link"), Path.GetTempPath());
        using var channel = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions { MaxSendMessageSize = null, MaxReceiveMessageSize = null });
        var target = await (await MalformedTarget.OpenAsync(client, workspace) with { FileUnderRoot = "a-file", SymlinkUnderRoot = "a-link" })
            .WithDatastoreAsync(channel.CreateCallInvoker());
        string before = await ChecksumAsync(client, workspace);
        var outcomes = new List<MalformedOutcome>();
        foreach (var request in new MalformedRequests(target).Generate(settings.Malformed, settings.Seed))
            outcomes.Add(await request.RunAsync(channel.CreateCallInvoker(), TimeSpan.FromSeconds(30)));
        string after = await ChecksumAsync(client, workspace);
        var images = (await new Datastore.DatastoreClient(channel).ListImagesAsync(new ListImagesRequest())).Images;
        bool datastoreUnchanged = images.All(i => i.LabelVersions == 0 && i.Status == (i.Id == target.Datastore!.HeldImageId ? DatastoreImageStatus.Leased : DatastoreImageStatus.Unlabelled));
        return new MalformedSummary(outcomes, before == after, datastoreUnchanged, server.HasExited);
    }

    static async Task<string> ChecksumAsync(RemoteClient client, string workspace) =>
        (await client.Workspaces.GetWorkspaceAsync(new GetWorkspaceRequest { Workspace = workspace, IncludeChecksum = true })).WeightsChecksum;
}

/// <summary>What the malformed requests got back, and whether the target stayed as it was.</summary>
/// <param name="DatastoreUnchanged">No label stored in the datastore and no image leased but the one the target holds.</param>
public sealed record MalformedSummary(IReadOnlyList<MalformedOutcome> Outcomes, bool WeightsUnchanged, bool DatastoreUnchanged, bool ServerDied)
{
    public int InternalOrUnknown => Outcomes.Count(o => o.Code is StatusCode.Internal or StatusCode.Unknown);
    public int Accepted => Outcomes.Count(o => o.Code == StatusCode.OK);
}
