using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Oaims.Interaction;
using Oaims.Learning.Adaptation;
using Oaims.Learning.Checkpoints;
using Oaims.Service.Images;
using Oaims.Service.Memory;
using Oaims.Service.Sessions;
using Oaims.Service.Workspaces;
using TorchSharp;

namespace Oaims.Service;

/// <summary>
/// Everything the sidecar holds, in the user's words: the models it offers, the workspaces adapting them, the uploaded
/// images and the open sessions, all within one memory budget. The gRPC services translate wire messages into calls
/// on this object; torch work goes through each workspace's worker.
/// </summary>
public sealed partial class Sidecar : IDisposable
{
    readonly Dictionary<string, LoadedModel> _models = new(StringComparer.Ordinal);
    readonly Dictionary<string, Workspace> _workspaces = new(StringComparer.Ordinal);
    // Workspaces whose saved state could not be restored at start: their folders are left untouched, their names blocked.
    readonly HashSet<string> _unrestored = new(StringComparer.Ordinal);
    readonly object _gate = new();
    readonly ILogger _log;
    readonly Timer _leaseTimer;
    volatile bool _loaded;

    public Sidecar(SidecarOptions options, torch.Device device, ILogger<Sidecar> log)
    {
        options.Limits.Validate();
        Options = options;
        Device = device;
        _log = log;
        Budget = new MemoryBudget(options.Limits.MemoryBudgetBytes);
        Images = new ImageStore(Budget);
        Uploads = new UploadSlots(options.Limits.MaxConcurrentUploads);
        Sessions = new SessionTable(options.Limits.MaxSessions);
        CheckpointRoot = Path.GetFullPath(options.CheckpointRoot);
        StateRoot = Path.Combine(CheckpointRoot, StateFolderName);
        Datastore = options.DatastoreFolder is { } datastore ? Oaims.Service.Datastore.DatastoreFolder.Open(datastore) : null;
        Leases = new Oaims.Service.Datastore.ImageLeases(Sessions.IsOpen);
        _leaseTimer = new Timer(_ => Sessions.ExpireIdle(Release), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public SidecarOptions Options { get; }
    public ServiceLimits Limits => Options.Limits;
    public torch.Device Device { get; }
    public string DeviceName => Learning.TorchRuntime.NameOf(Device);
    public string CheckpointRoot { get; }
    /// <summary>Where each workspace keeps its own durable state: STATE_ROOT/&lt;workspace&gt;/ (see <see cref="LearnerStore"/>).</summary>
    public string StateRoot { get; }
    /// <summary>The folder under the checkpoint root that the server keeps for workspaces' own state (no client writes there).</summary>
    public const string StateFolderName = "live";
    public MemoryBudget Budget { get; }
    public ImageStore Images { get; }
    public UploadSlots Uploads { get; }
    /// <summary>The port of the HTTP/1.1 upload endpoint (Capabilities.http_upload_port), 0 when none is served; set once the server listens.</summary>
    public int HttpUploadPort { get; internal set; }
    public SessionTable Sessions { get; }
    public static string Version => typeof(Sidecar).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public IReadOnlyList<LoadedModel> Models { get { lock (_gate) return _models.Values.OrderBy(m => m.Name, StringComparer.Ordinal).ToList(); } }
    public IReadOnlyList<Workspace> Workspaces { get { lock (_gate) return _workspaces.Values.Where(w => w is not null).OrderBy(w => w.Name, StringComparer.Ordinal).ToList(); } }

    // ---- start-up and health ----

    /// <summary>
    /// Start-up: brings back every workspace saved under the checkpoint root (as it was at its last commit, rollback, reset
    /// or creation), then registers the models and opens a default workspace for each one whose name is not yet taken.
    /// The server already listens, and reports NOT_SERVING until this returns.
    /// </summary>
    public async Task LoadAsync()
    {
        CleanInterruptedClientSaves();
        await RestoreSavedWorkspacesAsync();
        if (Options.ModelsFolder is { } models) await LoadModelsAsync(models);
        _loaded = true;
    }

    /// <summary>True once <see cref="LoadAsync"/> has returned.</summary>
    public bool IsLoaded => _loaded;

    /// <summary>Why the sidecar cannot serve right now (still loading, or a workspace's worker has stopped); null when it can.</summary>
    public string? NotServingReason
    {
        get
        {
            if (!_loaded) return "the server is still loading its models and workspaces";
            return Workspaces.FirstOrDefault(w => !w.Worker.IsAlive) is { } stopped
                ? $"the worker of workspace '{stopped.Name}' has stopped ({stopped.Worker.Failure?.Message ?? "no reason known"}): its requests cannot run until the server restarts"
                : null;
        }
    }

    // ---- models and workspaces ----

    async Task RestoreSavedWorkspacesAsync()
    {
        if (!Options.PersistWorkspaces || !Directory.Exists(StateRoot)) return;
        foreach (string folder in Directory.GetDirectories(StateRoot).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(folder);
            var durable = new Imaging.DurableFolder(folder);
            foreach (string orphan in durable.CleanOrphans())
                _log.LogWarning("Workspace {Workspace}: removed {Orphan}, left by a save that was cut off", name, orphan);
            if (!WorkspaceName().IsMatch(name) || !durable.Exists) continue;
            try
            {
                var (located, warning) = LearnerStore.Locate(folder);
                if (warning is not null) _log.LogWarning("Workspace {Workspace}: {TornSave}", name, warning);
                var card = LearnerStore.SourceCard(located);
                var workspace = await StartWorkspaceAsync(name, new LoadedModel(card.Name, Path.Combine(located, OnlineLearner.SourceFolder), card),
                    () => LoadSavedLearner(located), savedVersionOnDisk: warning is null);
                _log.LogInformation("Workspace {Workspace} restored at version {ModelVersion} from {Folder}", name, workspace.Version, located);
            }
            // One workspace that cannot come back (damaged beyond its fall-backs, or over the memory budget) must not keep
            // the others from being served.
            catch (Exception e) when (e is IOException or InvalidDataException or System.Text.Json.JsonException or ArgumentException
                                          or UnauthorizedAccessException or LimitExceededException)
            {
                lock (_gate) _unrestored.Add(name);
                _log.LogError("Workspace {Workspace} could not be restored from {Folder}: {Reason}. Its folder is left as it is and the name stays blocked until it is moved away",
                    name, folder, e.Message);
            }
        }
    }

    // SaveCheckpoint and ExportCheckpoint folders a crash cut off in the middle of a save: their temporary leftovers go
    // at start (the workspaces' own folders are cleaned as they are restored). Four levels deep at most: client paths are short.
    void CleanInterruptedClientSaves()
    {
        if (!Directory.Exists(CheckpointRoot)) return;
        var pending = new Stack<(string Folder, int Depth)>([(CheckpointRoot, 0)]);
        while (pending.TryPop(out var entry))
        {
            string[] folders;
            try { folders = Directory.GetDirectories(entry.Folder); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; } // gone or not ours: nothing to clean
            foreach (string folder in folders)
            {
                if (folder == StateRoot || new FileInfo(folder).LinkTarget is not null) continue;
                var durable = new Imaging.DurableFolder(folder);
                if (durable.Exists)
                {
                    foreach (string orphan in durable.CleanOrphans())
                        _log.LogWarning("Removed {Orphan} from {Folder}, left by a save that was cut off", orphan, folder);
                }
                else if (entry.Depth < 4) pending.Push((folder, entry.Depth + 1));
            }
        }
    }

    /// <summary>Registers every checkpoint under the folder and opens its default workspace (named after it). A checkpoint that
    /// fails to load is logged and skipped, so one broken folder does not keep the others from being served.</summary>
    async Task LoadModelsAsync(string folder)
    {
        foreach (string directory in ModelCatalog.List(folder))
        {
            try
            {
                var model = AddModel(directory);
                bool taken;
                lock (_gate) taken = _workspaces.ContainsKey(model.Name) || _unrestored.Contains(model.Name);
                if (!taken) await CreateWorkspaceAsync(model.Name, model.Name, Options.DefaultStrategy, null, null);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or System.Text.Json.JsonException or ArgumentException or AlreadyExistsException or LimitExceededException)
            {
                _log.LogError("Skipping model {ModelFolder}: {Reason}", directory, e.Message);
            }
        }
    }

    /// <summary>Makes a checkpoint folder available as a workspace source (its card is read now, its weights per workspace).</summary>
    public LoadedModel AddModel(string directory)
    {
        var card = Checkpoint.ReadCard(directory);
        var model = new LoadedModel(card.Name, Path.GetFullPath(directory), card);
        _ = model.Task; // an unknown task fails here, not at the first click
        lock (_gate)
        {
            if (_models.ContainsKey(card.Name)) throw new AlreadyExistsException($"Two checkpoints are named '{card.Name}' ({_models[card.Name].Directory} and {directory}).");
            _models[card.Name] = model;
        }
        _log.LogInformation("Model {Model}: task {Task}, classes {Classes}, {Channels} channel(s), from {ModelFolder}",
            card.Name, card.Task, card.ClassNames, model.Task.ImageChannels, directory);
        return model;
    }

    public LoadedModel Model(string name)
    {
        lock (_gate)
            return _models.TryGetValue(name, out var m) ? m
                : throw new NotFoundException($"No model {UserInput.Quote(name)} on this server; loaded: {Listed(_models.Keys)}.");
    }

    public Workspace Workspace(string name)
    {
        if (string.IsNullOrEmpty(name)) throw new ArgumentException("The request names no workspace.");
        lock (_gate)
            return _workspaces.TryGetValue(name, out var w) && w is not null ? w
                : throw new NotFoundException($"No workspace {UserInput.Quote(name)}; existing: {Listed(_workspaces.Where(e => e.Value is not null).Select(e => e.Key))}.");
    }

    /// <summary>A new workspace from a loaded model, or restored from a state saved under the checkpoint root.</summary>
    public async Task<Workspace> CreateWorkspaceAsync(string name, string? modelName, string? strategy, double? learningRate, string? restoreFrom)
    {
        if (!WorkspaceName().IsMatch(name))
            throw new ArgumentException($"Workspace name {UserInput.Quote(name)} is not allowed: use 1 to 64 letters, digits, '.', '-' or '_'.");
        strategy = string.IsNullOrEmpty(strategy) ? Options.DefaultStrategy : strategy;
        if (!AdaptationStrategies.Names.Contains(strategy.ToLowerInvariant()) && strategy.ToLowerInvariant() != "mi+pi")
            throw new ArgumentException($"Unknown adaptation strategy {UserInput.Quote(strategy)}: use one of {string.Join(", ", AdaptationStrategies.Names)}.");
        if (learningRate is double lr && !(lr >= 0 && double.IsFinite(lr)))
            throw new ArgumentException($"The learning rate must be a finite non-negative number, got {lr}.");

        LoadedModel model;
        Func<OnlineLearner> create;
        if (!string.IsNullOrEmpty(restoreFrom))
        {
            string folder = ResolveUnderRoot(restoreFrom);
            if (!LearnerStore.Holds(folder))
                throw new NotFoundException($"No saved workspace at '{restoreFrom}' under the checkpoint root (SaveCheckpoint writes one).");
            var (located, warning) = LearnerStore.Locate(folder);
            if (warning is not null) _log.LogWarning("Restoring {Workspace}: {TornSave}", name, warning);
            var card = LearnerStore.SourceCard(located);
            model = new LoadedModel(card.Name, Path.Combine(located, OnlineLearner.SourceFolder), card);
            create = () => LoadSavedLearner(located);
        }
        else
        {
            if (string.IsNullOrEmpty(modelName)) throw new ArgumentException("The request names no model for the workspace.");
            model = Model(modelName);
            create = () =>
            {
                var (network, card) = Checkpoint.Load(model.Directory, Device);
                return new OnlineLearner(network, card, strategy, learningRate, snapshotCapacityBytes: Limits.SnapshotBytesPerWorkspace);
            };
        }

        return await StartWorkspaceAsync(name, model, create, savedVersionOnDisk: false);
    }

    // Reserves the name, builds the learner on a new worker and, unless its state is already on disk, saves it before the
    // workspace is announced: a workspace that exists has a state a restart can bring back.
    async Task<Workspace> StartWorkspaceAsync(string name, LoadedModel model, Func<OnlineLearner> create, bool savedVersionOnDisk)
    {
        lock (_gate)
        {
            if (_workspaces.ContainsKey(name)) throw new AlreadyExistsException($"A workspace named '{name}' already exists.");
            if (_unrestored.Contains(name))
                throw new AlreadyExistsException($"Workspace '{name}' has a saved state that could not be restored at start (see the server log); move its folder away to reuse the name.");
            if (_workspaces.Count >= Limits.MaxWorkspaces) throw new LimitExceededException($"The server already has {Limits.MaxWorkspaces} workspaces.");
            _workspaces[name] = null!; // reserve the name while the learner loads
        }
        Workspace? workspace = null;
        try
        {
            string? stateFolder = Options.PersistWorkspaces ? Path.Combine(StateRoot, name) : null;
            workspace = await Service.Workspaces.Workspace.StartAsync(name, model, create, Limits.QueueCapacity, Budget, stateFolder);
            if (savedVersionOnDisk) workspace.SavedVersion = workspace.Version;
            else await workspace.Run(_ => { Persist(workspace); return true; }, CancellationToken.None);
            lock (_gate) _workspaces[name] = workspace;
            _log.LogInformation("Workspace {Workspace}: model {Model}, strategy {Strategy}, learning rate {LearningRate}, version {ModelVersion}, {MemoryMiB:F1} MiB reserved ({SnapshotsKept} undo snapshots)",
                name, model.Name, workspace.Strategy, workspace.LearningRate, workspace.Version, workspace.MemoryBytes / 1048576.0, workspace.Learner.SnapshotsKept);
            return workspace;
        }
        catch
        {
            workspace?.Dispose();
            lock (_gate) _workspaces.Remove(name);
            throw;
        }
    }

    // A saved learner, with this server's bound on its undo snapshots (the bound is the server's, not the save's).
    OnlineLearner LoadSavedLearner(string located)
    {
        var learner = OnlineLearner.Load(located, Device);
        learner.SnapshotCapacityBytes = Limits.SnapshotBytesPerWorkspace;
        return learner;
    }

    /// <summary>
    /// Worker: makes the workspace's current state its durable state (one atomic unit under <see cref="StateRoot"/>)
    /// unless that version is already saved. Called before a commit, rollback, reset or creation answers.
    /// </summary>
    void Persist(Workspace workspace)
    {
        if (workspace.StateFolder is not { } folder || workspace.Learner.Version == workspace.SavedVersion) return;
        var clock = Stopwatch.StartNew();
        try
        {
            LearnerStore.Save(workspace.Learner, folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Workspace '{workspace.Name}' is at version {workspace.Learner.Version} in memory but could not be saved to disk " +
                                  $"({e.Message}); the server keeps trying with each further change.", e);
        }
        workspace.SavedVersion = workspace.Learner.Version;
        _log.LogInformation("Workspace {Workspace} version {ModelVersion} saved in {SaveMs:F0} ms", workspace.Name, workspace.SavedVersion, clock.Elapsed.TotalMilliseconds);
    }

    public async Task<IReadOnlyList<ModelVersion>> VersionsAsync(string workspace, CancellationToken cancellation) =>
        (await Workspace(workspace).Run(l => l.History.ToList(), cancellation)).Value;

    public async Task<string> ChecksumAsync(Workspace workspace, CancellationToken cancellation) =>
        (await workspace.Run(l => l.WeightsChecksum(), cancellation)).Value;

    public async Task<Workspace> RollbackAsync(string name, long version, CancellationToken cancellation)
    {
        var workspace = Workspace(name);
        await workspace.Run(l => { l.RestoreVersion(version, "rollback"); Persist(workspace); return l.Version; }, cancellation);
        _log.LogInformation("Workspace {Workspace} rolled back to version {RestoredFrom}: now version {ModelVersion}", name, version, workspace.Version);
        return workspace;
    }

    public async Task<Workspace> ResetAsync(string name, CancellationToken cancellation)
    {
        var workspace = Workspace(name);
        await workspace.Run(l => { l.ResetToSource(); Persist(workspace); return l.Version; }, cancellation);
        _log.LogInformation("Workspace {Workspace} reset to its source: now version {ModelVersion}", name, workspace.Version);
        return workspace;
    }

    /// <summary>
    /// Saves the whole learner (restorable with CreateWorkspace's restore_from) under the checkpoint root, as a new version
    /// of that folder: a save cut off half-way leaves the previous one in force.
    /// </summary>
    public async Task<(string Path, long Version)> SaveAsync(string name, string relativePath, CancellationToken cancellation)
    {
        var workspace = Workspace(name);
        string folder = ResolveClientFolder(relativePath, LearnerStore.Holds, "a saved workspace");
        long version = (await workspace.Run(l => { LearnerStore.Save(l, folder); return l.Version; }, cancellation)).Value;
        _log.LogInformation("Workspace {Workspace} version {ModelVersion} saved to {Folder}", name, version, folder);
        return (folder, version);
    }

    /// <summary>Writes the adapted weights as an ordinary checkpoint under the checkpoint root.</summary>
    public async Task<(string Path, long Version)> ExportAsync(string name, string relativePath, string? modelName, CancellationToken cancellation)
    {
        var workspace = Workspace(name);
        if (!string.IsNullOrEmpty(modelName) && !WorkspaceName().IsMatch(modelName))
            throw new ArgumentException($"Model name {UserInput.Quote(modelName)} is not allowed: use 1 to 64 letters, digits, '.', '-' or '_'.");
        string folder = ResolveClientFolder(relativePath, Checkpoint.IsCheckpoint, "an exported checkpoint");
        long version = (await workspace.Run(l =>
        {
            Checkpoint.SaveDurably(folder, into => l.ExportCheckpoint(into, string.IsNullOrEmpty(modelName) ? $"{name}-v{l.Version}" : modelName));
            return l.Version;
        }, cancellation)).Value;
        _log.LogInformation("Workspace {Workspace} version {ModelVersion} exported to {Folder}", name, version, folder);
        return (folder, version);
    }

    // A folder a client may write: under the root, outside the workspaces' own state, and either new or already one of
    // the kind being written (then the save becomes its new version); never a folder holding something else.
    string ResolveClientFolder(string relativePath, Func<string, bool> holdsKind, string kind)
    {
        string folder = ResolveUnderRoot(relativePath);
        if (folder == StateRoot || folder.StartsWith(StateRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ArgumentException($"'{StateFolderName}/' under the checkpoint root holds the workspaces' own state; choose another path.");
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any() && !holdsKind(folder))
            throw new AlreadyExistsException($"{UserInput.Quote(relativePath)} already holds something other than {kind}; choose another path.");
        return folder;
    }

    /// <summary>A folder under the checkpoint root, checked by <see cref="CheckpointPaths"/> so a client cannot write elsewhere.</summary>
    public string ResolveUnderRoot(string relativePath) => CheckpointPaths.Resolve(CheckpointRoot, relativePath);

    // ---- images ----

    public ImageUpload BeginUpload(ImageDescription description) => new(description, Limits, Budget);

    /// <summary>Checks the upload and stores its image; content already stored is not decoded again (its bytes were checked then).</summary>
    public (StoredImage Image, bool AlreadyKnown) CompleteUpload(ImageUpload upload, ImageDescription description)
    {
        string fingerprint = upload.Finish();
        var (image, added) = Images.Find(fingerprint) is { } known ? (known, false) : Store(upload, description, fingerprint);
        _log.LogInformation("Image {ImageId} ({Dims}, {Channels} channel(s), {VoxelType}) {Outcome}",
            fingerprint[..12], string.Join("x", description.Dims), description.Channels, description.VoxelType, added ? "stored" : "already known");
        return (image, !added);
    }

    (StoredImage Image, bool Added) Store(ImageUpload upload, ImageDescription description, string fingerprint)
    {
        // Reserved before decoding: the float32 voxels are allocated only once the budget has room for them.
        var memory = Budget.Reserve(description.StoredBytes, MemoryUse.Images, $"Image {fingerprint[..12]} ({string.Join("x", description.Dims)} x {description.Channels} channel(s) as float32)");
        Imaging.Volume volume;
        try { volume = upload.Decode(); }
        catch
        {
            memory.Dispose();
            throw;
        }
        return Images.Add(new StoredImage(fingerprint, volume, description.Name, description.PayloadBytes), memory);
    }

    // ---- sessions ----

    /// <summary>Opens a session; its mask starts as <paramref name="initialMask"/> (boxes of an existing segment) when given, else empty.</summary>
    /// <param name="sessionId">The id to give it (the datastore leases an image under the id before the session exists); null: a new one.</param>
    /// <param name="fieldOfView">Side of the window each slice's first click centres the model on (0: the whole slice).</param>
    public SegmentationSession OpenSession(string workspaceName, string imageId, int targetClass, int leaseSeconds, IReadOnlyList<MaskDelta>? initialMask = null,
                                           string? sessionId = null, int fieldOfView = 0)
    {
        if (fieldOfView < 0) throw new ArgumentException($"The field of view is a side in pixels, or 0 for the whole slice; got {fieldOfView}.");
        var workspace = Workspace(workspaceName);
        if (string.IsNullOrEmpty(imageId)) throw new ArgumentException("The request names no image (image_id is empty).");
        var image = Images.Get(imageId);
        if (leaseSeconds < 0 || leaseSeconds > Limits.MaxLeaseSeconds)
            throw new ArgumentException($"The lease must be 0 (the default, {Limits.DefaultLeaseSeconds} s) to {Limits.MaxLeaseSeconds} seconds, got {leaseSeconds}.");
        var dims = image.Volume.Dims;
        var initial = ClientMask.Read(initialMask ?? [], new VolumeShape(dims[0], dims[1], dims[2]), workspace.Model, "the initial mask");
        var session = new SegmentationSession(sessionId ?? SessionTable.NewId(), workspace, image, targetClass, leaseSeconds == 0 ? Limits.DefaultLeaseSeconds : leaseSeconds, Budget, initial, fieldOfView);
        try { Sessions.Add(session); }
        catch
        {
            session.Close(); // nothing of it reached the worker yet: its copies and its memory go at once
            throw;
        }
        _log.LogInformation("Session {SessionId} opened in workspace {Workspace} on image {ImageId} ({Dims}), class {TargetClass}, lease {LeaseSeconds} s, initial mask {InitialMaskVoxels} voxel(s)",
            session.Id, workspace.Name, image.Id[..12], string.Join("x", session.Dims), targetClass, session.LeaseSeconds, initial?.VoxelCount ?? 0);
        return session;
    }

    public SegmentationSession Session(string id) => Sessions.Get(id, Release);

    /// <summary>Runs work on the session's workspace worker; the lease holds while it waits and runs, and runs again from its end.</summary>
    public async Task<WorkResult<T>> OnSessionAsync<T>(string id, Func<SegmentationSession, T> work, CancellationToken cancellation)
    {
        var session = Session(id);
        using var call = session.CallInProgress();
        return await session.Workspace.Worker.Run(() => work(session), cancellation);
    }

    /// <summary>
    /// Accepts the session's mask, with the user's hand edits written over it when <paramref name="finalMask"/> is given
    /// (checked before anything is queued), runs the post-interaction learning (steps reported as they happen), then saves
    /// the workspace (and, for a datastore image, stores the label) before answering.
    /// </summary>
    /// <param name="acceptedLabels">The whole label volume the user accepted (MONAI Label's PUT /datastore/label); null: the session's.</param>
    public Task<WorkResult<CommitResult>> CommitAsync(string id, Action<AdaptationStep> report, CancellationToken cancellation, IReadOnlyList<MaskDelta>? finalMask = null,
                                                      byte[]? acceptedLabels = null)
    {
        var final = Session(id).ReadMask(finalMask ?? [], "the final mask");
        return OnSessionAsync(id, session =>
        {
            if (acceptedLabels is not null) session.ReplaceLabels(acceptedLabels);
            var result = session.Commit(final, report);
            Persist(session.Workspace);
            return result with { DatastoreLabelVersion = StoreDatastoreLabel(session, result) };
        }, cancellation);
    }

    public async Task<SegmentationSession> CloseSessionAsync(string id, CancellationToken cancellation)
    {
        var session = Session(id);
        if (Sessions.Remove(id) is null) throw new NotFoundException($"Session {id} was already closed.");
        // Out of the table already: its tensors and memory must go even if the caller gives up or the queue is full.
        await session.Workspace.Worker.Post(session.Close);
        _log.LogInformation("Session {SessionId} closed after {ClickCount} clicks (committed: {Committed})", id, session.ClickCount, session.Committed);
        return session;
    }

    // An expired session's tensors are freed on its worker, behind any work of it still queued.
    void Release(SegmentationSession session)
    {
        _log.LogWarning("Session {SessionId} in workspace {Workspace} expired after {LeaseSeconds} s idle", session.Id, session.Workspace.Name, session.LeaseSeconds);
        session.Workspace.Worker.Post(session.Close);
    }

    // \z, not $: $ also matches before a final "\n", which let "name\n" through. "." and ".." are refused, as folder names would mean something else.
    // Names for an error sentence: the first few, in order, and how many more there are (a server may hold many).
    static string Listed(IEnumerable<string> names)
    {
        var all = names.Order(StringComparer.Ordinal).ToList();
        return all.Count == 0 ? "none" : all.Count <= 8 ? string.Join(", ", all) : $"{string.Join(", ", all.Take(8))} and {all.Count - 8} more";
    }

    [GeneratedRegex(@"^(?!\.\.?\z)[A-Za-z0-9._-]{1,64}\z")]
    private static partial Regex WorkspaceName();

    public void Dispose()
    {
        _leaseTimer.Dispose();
        _batchPrelabelling?.StopRunning();
        foreach (var session in Sessions.All.ToList())
            if (Sessions.Remove(session.Id) is not null) session.Workspace.Worker.Post(session.Close);
        foreach (var workspace in Workspaces) workspace.Dispose();
    }
}
