using Grpc.Core;
using Oaims.Learning.Checkpoints;
using Oaims.Service;
using Oaims.Service.V1;

namespace Oaims.Cli.Reliability;

/// <summary>
/// The soak's crash test: a server keeps committing images, saving and exporting its workspace while it is killed with
/// SIGKILL at a random moment, then started again with the same flags, many times over. After every restart the
/// workspace must be exactly as the last acknowledged change left it (or as the change in flight left it, when that
/// change was written but its answer was lost with the process), and the saved and exported folders must still load.
/// </summary>
public sealed class KillDuringWrites(IReadOnlyList<string> serveFlags, string checkpointRoot, string workspace, string model, int imageSide, TextWriter progress)
{
    public sealed record Cycle(int Number, string InterruptedDuring, double KilledAfterMs, string Outcome, bool Good);

    public sealed record Result(IReadOnlyList<Cycle> Cycles, int Crashes, double MeanRestartSeconds)
    {
        public int GoodRestores => Cycles.Count(c => c.Good);
    }

    // What the client knows was acknowledged, and what was in flight when the server died.
    long _ackedVersion = -1;
    string? _ackedChecksum;
    readonly HashSet<long> _savedVersions = [];
    readonly HashSet<string> _exportedNames = [];
    volatile string _inFlight = "start-up";
    long? _inFlightSave;
    string? _inFlightExport;
    int _images;

    const string SavedPath = "soak/saved", ExportPath = "soak/exported";
    const string Commit = "clicks and commit (PI steps, then the workspace save)";
    const string ReadingCommitted = "reading the committed state";
    static readonly string[] Writes = [Commit, "SaveCheckpoint", "ExportCheckpoint"];

    public async Task<Result> RunAsync(int kills, int seed)
    {
        var random = new Random(seed);
        var cycles = new List<Cycle>();
        var restartSeconds = new List<double>();
        int crashes = 0;
        (string During, double After)? killed = null;
        // Start n verifies what kill n-1 left; the last start only verifies.
        for (int n = 1; n <= kills + 1; n++)
        {
            var starting = System.Diagnostics.Stopwatch.StartNew();
            var server = await ServerProcess.StartAsync(serveFlags);
            restartSeconds.Add(starting.Elapsed.TotalSeconds);
            using var client = new RemoteClient(server.Address, retryDeadline: TimeSpan.FromSeconds(30));
            if (killed is { } k)
            {
                var (outcome, good) = await VerifyOrExplainAsync(client);
                cycles.Add(new Cycle(n - 1, k.During, k.After, outcome, good));
                progress.WriteLine($"soak: kill {n - 1}/{kills} after {k.After:F0} ms during {k.During}: {(good ? "restored" : "NOT RESTORED")}");
            }
            else await EnsureWorkspaceAsync(client);
            if (n > kills)
            {
                await server.StopAsync();
                break;
            }

            using var stop = new CancellationTokenSource();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var work = WorkUntilKilledAsync(client, n, stop.Token);
            // Odd kills at a random moment of the run; even ones a random 0-80 ms into a write, taking commit, save and
            // export in turn, so every kind of write is cut off, not only the phase that happens to last longest.
            if (n % 2 == 1) await Task.WhenAny(work, Task.Delay(TimeSpan.FromMilliseconds(300 + random.NextDouble() * 8700)));
            else
            {
                string target = Writes[(n / 2 - 1) % Writes.Length];
                while (!work.IsCompleted && _inFlight != target && clock.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(2);
                await Task.WhenAny(work, Task.Delay(TimeSpan.FromMilliseconds(random.NextDouble() * 80)));
            }
            double killAfter = clock.Elapsed.TotalMilliseconds;
            if (server.HasExited) crashes++; // it died before we killed it
            killed = (_inFlight, killAfter);
            await server.KillHardAsync();
            stop.Cancel();
            try { await work; } catch (Exception e) when (e is RpcException or OperationCanceledException or IOException) { }
        }
        return new Result(cycles, crashes, restartSeconds.Average());
    }

    async Task<(string Outcome, bool Good)> VerifyOrExplainAsync(RemoteClient client)
    {
        try { return await VerifyAsync(client); }
        catch (Exception e) when (e is RpcException or IOException or InvalidDataException) { return ($"WRONG: {e.Message}", false); }
    }

    async Task EnsureWorkspaceAsync(RemoteClient client)
    {
        try { await client.Workspaces.CreateWorkspaceAsync(new CreateWorkspaceRequest { Name = workspace, Model = model }); }
        catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists) { }
        await RecordAcknowledgedAsync(client);
    }

    async Task RecordAcknowledgedAsync(RemoteClient client)
    {
        var info = await client.Workspaces.GetWorkspaceAsync(new GetWorkspaceRequest { Workspace = workspace, IncludeChecksum = true });
        (_ackedVersion, _ackedChecksum) = (info.ModelVersion, info.WeightsChecksum);
    }

    // Commit an image, save, export, again and again: the kill lands somewhere in there.
    async Task WorkUntilKilledAsync(RemoteClient client, int cycle, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var image = SimulatedAnnotator.Image(imageSide, seed: 1000 + _images++);
            var reference = await client.UploadAsync(image.Image, cancellation: stop);
            _inFlight = Commit;
            await SimulatedAnnotator.AnnotateAsync(client, workspace, reference.ImageId, image, clicks: 3, commit: true, stop);
            _inFlight = ReadingCommitted;
            await RecordAcknowledgedAsync(client);

            _inFlight = "SaveCheckpoint";
            _inFlightSave = _ackedVersion;
            await client.Workspaces.SaveCheckpointAsync(new SaveCheckpointRequest { Workspace = workspace, Path = SavedPath }, cancellationToken: stop);
            _savedVersions.Add(_ackedVersion);
            _inFlightSave = null;

            _inFlight = "ExportCheckpoint";
            _inFlightExport = $"soak-{cycle}-{_images}";
            await client.Workspaces.ExportCheckpointAsync(new ExportCheckpointRequest { Workspace = workspace, Path = ExportPath, Name = _inFlightExport }, cancellationToken: stop);
            _exportedNames.Add(_inFlightExport);
            _inFlightExport = null;
            _inFlight = "between requests";
        }
    }

    // After a restart: the workspace, the saved folder and the exported folder, each as acknowledged (or as the write in flight left it).
    async Task<(string Outcome, bool Good)> VerifyAsync(RemoteClient client)
    {
        var info = await client.Workspaces.GetWorkspaceAsync(new GetWorkspaceRequest { Workspace = workspace, IncludeChecksum = true });
        bool sameAsAcknowledged = info.ModelVersion == _ackedVersion && info.WeightsChecksum == _ackedChecksum;
        // A commit whose save finished just before the kill: newer than the version last read, and only when a commit was
        // in flight, or answered with the kill landing before the soak could read its version.
        bool commitInFlightLanded = info.ModelVersion > _ackedVersion && (_inFlight == Commit || _inFlight == ReadingCommitted);
        string workspaceOutcome = sameAsAcknowledged ? $"workspace at the acknowledged v{info.ModelVersion}, checksum equal"
            : commitInFlightLanded && _inFlight == Commit ? $"workspace at v{info.ModelVersion}, the commit in flight (saved before the kill, not yet acknowledged)"
            : commitInFlightLanded ? $"workspace at v{info.ModelVersion}, the commit just answered (the kill came before the soak read its version)"
            : $"WRONG: workspace at v{info.ModelVersion}, acknowledged v{_ackedVersion}";
        if (commitInFlightLanded) await RecordAcknowledgedAsync(client);

        string saved = Path.Combine(checkpointRoot, SavedPath), exported = Path.Combine(checkpointRoot, ExportPath);
        bool savedGood = true, exportedGood = true;
        if (_savedVersions.Count > 0 || _inFlightSave is not null)
        {
            var (located, _) = LearnerStore.Locate(saved);
            using var learner = Learning.Adaptation.OnlineLearner.Load(located);
            savedGood = _savedVersions.Contains(learner.Version) || learner.Version == _inFlightSave;
            if (learner.Version == _inFlightSave) _savedVersions.Add(learner.Version);
        }
        if (_exportedNames.Count > 0 || _inFlightExport is not null)
        {
            var (network, card) = Checkpoint.Load(exported); // checks the weights against the card's hash
            network.Dispose();
            exportedGood = _exportedNames.Contains(card.Name) || card.Name == _inFlightExport;
            if (card.Name == _inFlightExport) _exportedNames.Add(card.Name);
        }
        _inFlightSave = null;
        _inFlightExport = null;
        bool good = (sameAsAcknowledged || commitInFlightLanded) && savedGood && exportedGood;
        return ($"{workspaceOutcome}; saved folder {(savedGood ? "loads an acknowledged save" : "WRONG")}; export {(exportedGood ? "loads, hash verified" : "WRONG")}", good);
    }
}
