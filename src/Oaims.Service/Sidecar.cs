using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Oaims.Learning.Adaptation;
using Oaims.Learning.Checkpoints;
using Oaims.Service.Images;
using Oaims.Service.Sessions;
using Oaims.Service.Workspaces;
using TorchSharp;

namespace Oaims.Service;

/// <summary>
/// Everything the sidecar holds, in the user's words: the models it offers, the workspaces adapting them, the uploaded
/// images and the open sessions. The gRPC services translate wire messages into calls on this object; torch work
/// goes through each workspace's worker.
/// </summary>
public sealed partial class Sidecar : IDisposable
{
    readonly Dictionary<string, LoadedModel> _models = new(StringComparer.Ordinal);
    readonly Dictionary<string, Workspace> _workspaces = new(StringComparer.Ordinal);
    readonly object _gate = new();
    readonly ILogger _log;
    readonly Timer _leaseTimer;

    public Sidecar(SidecarOptions options, torch.Device device, ILogger<Sidecar> log)
    {
        options.Limits.Validate();
        Options = options;
        Device = device;
        _log = log;
        Images = new ImageStore(options.Limits.MaxStoredImageBytes);
        Sessions = new SessionTable(options.Limits.MaxSessions);
        CheckpointRoot = Path.GetFullPath(options.CheckpointRoot);
        _leaseTimer = new Timer(_ => Sessions.ExpireIdle(Release), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public SidecarOptions Options { get; }
    public ServiceLimits Limits => Options.Limits;
    public torch.Device Device { get; }
    public string DeviceName => Device.type == DeviceType.CUDA ? "cuda" : "cpu";
    public string CheckpointRoot { get; }
    public ImageStore Images { get; }
    public SessionTable Sessions { get; }
    public static string Version => typeof(Sidecar).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public IReadOnlyList<LoadedModel> Models { get { lock (_gate) return _models.Values.OrderBy(m => m.Name, StringComparer.Ordinal).ToList(); } }
    public IReadOnlyList<Workspace> Workspaces { get { lock (_gate) return _workspaces.Values.Where(w => w is not null).OrderBy(w => w.Name, StringComparer.Ordinal).ToList(); } }

    // ---- models and workspaces ----

    /// <summary>Registers every checkpoint under the folder and opens its default workspace (named after it). A checkpoint that
    /// fails to load is logged and skipped, so one broken folder does not keep the others from being served.</summary>
    public async Task LoadModelsAsync(string folder)
    {
        foreach (string directory in ModelCatalog.List(folder))
        {
            try
            {
                var model = AddModel(directory);
                await CreateWorkspaceAsync(model.Name, model.Name, Options.DefaultStrategy, null, null);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or JsonException or ArgumentException or AlreadyExistsException or LimitExceededException)
            {
                _log.LogError("Skipping model {ModelFolder}: {Reason}", directory, e.Message);
            }
        }
    }

    /// <summary>Makes a checkpoint folder available as a workspace source (its card is read now, its weights per workspace).</summary>
    public LoadedModel AddModel(string directory)
    {
        var card = JsonSerializer.Deserialize<ModelCard>(File.ReadAllText(Path.Combine(directory, Checkpoint.CardFile)), ModelCard.Json)
                   ?? throw new InvalidDataException($"{directory}/{Checkpoint.CardFile} is empty.");
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
                : throw new NotFoundException($"No model '{name}' on this server; loaded: {string.Join(", ", _models.Keys.Order())}.");
    }

    public Workspace Workspace(string name)
    {
        if (string.IsNullOrEmpty(name)) throw new ArgumentException("The request names no workspace.");
        lock (_gate)
            return _workspaces.TryGetValue(name, out var w) && w is not null ? w
                : throw new NotFoundException($"No workspace '{name}'; existing: {string.Join(", ", _workspaces.Where(e => e.Value is not null).Select(e => e.Key).Order())}.");
    }

    /// <summary>A new workspace from a loaded model, or restored from a state saved under the checkpoint root.</summary>
    public async Task<Workspace> CreateWorkspaceAsync(string name, string? modelName, string? strategy, double? learningRate, string? restoreFrom)
    {
        if (!WorkspaceName().IsMatch(name))
            throw new ArgumentException($"Workspace name '{name}' is not allowed: use 1 to 64 letters, digits, '.', '-' or '_'.");
        strategy = string.IsNullOrEmpty(strategy) ? Options.DefaultStrategy : strategy;
        if (!AdaptationStrategies.Names.Contains(strategy.ToLowerInvariant()) && strategy.ToLowerInvariant() != "mi+pi")
            throw new ArgumentException($"Unknown adaptation strategy '{strategy}': use one of {string.Join(", ", AdaptationStrategies.Names)}.");
        if (learningRate is double lr && !(lr >= 0 && double.IsFinite(lr)))
            throw new ArgumentException($"The learning rate must be a finite non-negative number, got {lr}.");

        LoadedModel model;
        Func<OnlineLearner> create;
        if (!string.IsNullOrEmpty(restoreFrom))
        {
            string folder = ResolveUnderRoot(restoreFrom);
            if (!File.Exists(Path.Combine(folder, "learner.json")))
                throw new NotFoundException($"No saved workspace at '{restoreFrom}' under the checkpoint root (it needs learner.json, as SaveCheckpoint writes).");
            var card = JsonSerializer.Deserialize<ModelCard>(File.ReadAllText(Path.Combine(folder, "source", Checkpoint.CardFile)), ModelCard.Json)
                       ?? throw new InvalidDataException($"{restoreFrom}: the source card is empty.");
            model = new LoadedModel(card.Name, Path.Combine(folder, "source"), card);
            create = () => OnlineLearner.Load(folder, Device);
        }
        else
        {
            if (string.IsNullOrEmpty(modelName)) throw new ArgumentException("The request names no model for the workspace.");
            model = Model(modelName);
            create = () =>
            {
                var (network, card) = Checkpoint.Load(model.Directory, Device);
                return new OnlineLearner(network, card, strategy, learningRate);
            };
        }

        lock (_gate)
        {
            if (_workspaces.ContainsKey(name)) throw new AlreadyExistsException($"A workspace named '{name}' already exists.");
            if (_workspaces.Count >= Limits.MaxWorkspaces) throw new LimitExceededException($"The server already has {Limits.MaxWorkspaces} workspaces.");
            _workspaces[name] = null!; // reserve the name while the learner loads
        }
        try
        {
            var workspace = await Service.Workspaces.Workspace.StartAsync(name, model, create, Limits.QueueCapacity);
            lock (_gate) _workspaces[name] = workspace;
            _log.LogInformation("Workspace {Workspace}: model {Model}, strategy {Strategy}, learning rate {LearningRate}, version {ModelVersion}",
                name, model.Name, workspace.Strategy, workspace.LearningRate, workspace.Version);
            return workspace;
        }
        catch
        {
            lock (_gate) _workspaces.Remove(name);
            throw;
        }
    }

    public async Task<IReadOnlyList<ModelVersion>> VersionsAsync(string workspace, CancellationToken cancellation) =>
        (await Workspace(workspace).Run(l => l.History.ToList(), cancellation)).Value;

    public async Task<string> ChecksumAsync(Workspace workspace, CancellationToken cancellation) =>
        (await workspace.Run(l => l.WeightsChecksum(), cancellation)).Value;

    public async Task<Workspace> RollbackAsync(string name, long version, CancellationToken cancellation)
    {
        var workspace = Workspace(name);
        await workspace.Run(l => { l.RestoreVersion(version, "rollback"); return l.Version; }, cancellation);
        _log.LogInformation("Workspace {Workspace} rolled back to version {RestoredFrom}: now version {ModelVersion}", name, version, workspace.Version);
        return workspace;
    }

    public async Task<Workspace> ResetAsync(string name, CancellationToken cancellation)
    {
        var workspace = Workspace(name);
        await workspace.Run(l => { l.ResetToSource(); return l.Version; }, cancellation);
        _log.LogInformation("Workspace {Workspace} reset to its source: now version {ModelVersion}", name, workspace.Version);
        return workspace;
    }

    /// <summary>Saves the whole learner (restorable with CreateWorkspace's restore_from) under the checkpoint root.</summary>
    public async Task<(string Path, long Version)> SaveAsync(string name, string relativePath, CancellationToken cancellation)
    {
        var workspace = Workspace(name);
        string folder = ResolveUnderRoot(relativePath);
        long version = (await workspace.Run(l => { l.Save(folder); return l.Version; }, cancellation)).Value;
        _log.LogInformation("Workspace {Workspace} version {ModelVersion} saved to {Folder}", name, version, folder);
        return (folder, version);
    }

    /// <summary>Writes the adapted weights as an ordinary checkpoint under the checkpoint root.</summary>
    public async Task<(string Path, long Version)> ExportAsync(string name, string relativePath, string? modelName, CancellationToken cancellation)
    {
        var workspace = Workspace(name);
        string folder = ResolveUnderRoot(relativePath);
        if (!string.IsNullOrEmpty(modelName) && !WorkspaceName().IsMatch(modelName))
            throw new ArgumentException($"Model name '{modelName}' is not allowed: use 1 to 64 letters, digits, '.', '-' or '_'.");
        long version = (await workspace.Run(l =>
        {
            l.ExportCheckpoint(folder, string.IsNullOrEmpty(modelName) ? $"{name}-v{l.Version}" : modelName);
            return l.Version;
        }, cancellation)).Value;
        _log.LogInformation("Workspace {Workspace} version {ModelVersion} exported to {Folder}", name, version, folder);
        return (folder, version);
    }

    /// <summary>A folder under the checkpoint root, checked by <see cref="CheckpointPaths"/> so a client cannot write elsewhere.</summary>
    public string ResolveUnderRoot(string relativePath) => CheckpointPaths.Resolve(CheckpointRoot, relativePath);

    // ---- images ----

    public ImageUpload BeginUpload(ImageDescription description) => new(description, Limits);

    public (StoredImage Image, bool AlreadyKnown) CompleteUpload(ImageUpload upload, ImageDescription description)
    {
        var (fingerprint, volume) = upload.Finish();
        var (image, added) = Images.Add(new StoredImage(fingerprint, volume, description.Name, description.PayloadBytes));
        _log.LogInformation("Image {ImageId} ({Dims}, {Channels} channel(s), {VoxelType}) {Outcome}",
            fingerprint[..12], string.Join("x", description.Dims), description.Channels, description.VoxelType, added ? "stored" : "already known");
        return (image, !added);
    }

    // ---- sessions ----

    public SegmentationSession OpenSession(string workspaceName, string imageId, int targetClass, int leaseSeconds)
    {
        var workspace = Workspace(workspaceName);
        if (string.IsNullOrEmpty(imageId)) throw new ArgumentException("The request names no image (image_id is empty).");
        var image = Images.Get(imageId);
        if (leaseSeconds < 0 || leaseSeconds > Limits.MaxLeaseSeconds)
            throw new ArgumentException($"The lease must be 0 (the default, {Limits.DefaultLeaseSeconds} s) to {Limits.MaxLeaseSeconds} seconds, got {leaseSeconds}.");
        var session = new SegmentationSession(SessionTable.NewId(), workspace, image, targetClass, leaseSeconds == 0 ? Limits.DefaultLeaseSeconds : leaseSeconds);
        Sessions.Add(session);
        _log.LogInformation("Session {SessionId} opened in workspace {Workspace} on image {ImageId} ({Dims}), class {TargetClass}, lease {LeaseSeconds} s",
            session.Id, workspace.Name, image.Id[..12], string.Join("x", session.Dims), targetClass, session.LeaseSeconds);
        return session;
    }

    public SegmentationSession Session(string id) => Sessions.Get(id, Release);

    /// <summary>Runs work on the session's workspace worker; the lease is renewed before and after.</summary>
    public async Task<WorkResult<T>> OnSessionAsync<T>(string id, Func<SegmentationSession, T> work, CancellationToken cancellation)
    {
        var session = Session(id);
        var result = await session.Workspace.Worker.Run(() => work(session), cancellation);
        session.Touch();
        return result;
    }

    public async Task<SegmentationSession> CloseSessionAsync(string id, CancellationToken cancellation)
    {
        var session = Session(id);
        if (Sessions.Remove(id) is null) throw new NotFoundException($"Session {id} was already closed.");
        await session.Workspace.Worker.Run(session.Close, cancellation);
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
    [GeneratedRegex(@"^(?!\.\.?\z)[A-Za-z0-9._-]{1,64}\z")]
    private static partial Regex WorkspaceName();

    public void Dispose()
    {
        _leaseTimer.Dispose();
        foreach (var session in Sessions.All.ToList())
            if (Sessions.Remove(session.Id) is not null) session.Workspace.Worker.Post(session.Close);
        foreach (var workspace in Workspaces) workspace.Dispose();
    }
}
