using Oaims.Imaging;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Oaims.Learning.Checkpoints;
using Oaims.Learning.Data;
using Oaims.Learning.Network;
using TorchSharp;
using static TorchSharp.torch;

namespace Oaims.Learning.Adaptation;

/// <summary>One entry of a learner's history: every weight change is a new version.</summary>
/// <param name="Kind">source, mi, pi-stage1, pi-stage2, pi-proposal, ia-sa, tsca, tent, undo, rollback, reset.</param>
/// <param name="RestoredFrom">For undo/rollback/reset: the version whose weights were restored.</param>
public sealed record ModelVersion(long Version, string Kind, long? RestoredFrom, double? Loss, DateTimeOffset Created);

/// <summary>
/// The model being adapted online (the heart of a workspace): the adapted weights, ONE Adam optimizer whose
/// state persists across images and is shared by mid- and post-interaction updates, the strategy, and a
/// version history with snapshots so that undo, rollback and reset are cheap. Not thread-safe: callers
/// serialise access (the sidecar runs one worker per workspace).
/// </summary>
public sealed class OnlineLearner : IDisposable
{
    readonly TorchSharp.Modules.Adam _optimizer;
    readonly List<TorchSharp.Modules.Parameter> _parameters;
    readonly List<ModelVersion> _history = [];
    readonly LearnerSnapshot _source;
    readonly IReadOnlyList<Tensor>? _importance;
    readonly Scalar _sourceAnchorWeight, _consolidationWeight; // held: see WithSourceAnchor
    // Snapshots of recent versions (oldest dropped first); the source is kept apart and never dropped.
    readonly LinkedList<(long Version, LearnerSnapshot Snapshot)> _recent = new();
    readonly int _snapshotCapacity;
    long _snapshotCapacityBytes;
    long _lastVersion;

    public InteractiveUNet Network { get; }
    public ModelCard SourceCard { get; }
    public SegmentationTask Task { get; }
    public IAdaptationStrategy Strategy { get; private set; }
    public double LearningRate { get; }
    /// <summary>The choices inside MI and PI this learner makes (the measured defaults unless an experiment asks otherwise).</summary>
    public AdaptationSettings Settings { get; }
    public long Version { get; private set; }
    public IReadOnlyList<ModelVersion> History => _history;

    /// <summary>The memory the recent snapshots may hold (a restored learner gets its server's bound through this).</summary>
    public long SnapshotCapacityBytes
    {
        get => _snapshotCapacityBytes;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _snapshotCapacityBytes = value;
            DropOldSnapshots();
        }
    }

    /// <summary>The recent versions kept for undo and rollback: the count cap, or as many as fit in the byte capacity, at least 2.</summary>
    public int SnapshotsKept => (int)Math.Clamp(_snapshotCapacityBytes / Math.Max(1, _source.Bytes), 2, _snapshotCapacity);

    /// <summary>The memory the recent snapshots hold now.</summary>
    public long RecentSnapshotBytes => _recent.Sum(s => s.Snapshot.Bytes);

    /// <summary>
    /// An upper bound of the memory this learner holds: weights, gradients, Adam's two moments, the source snapshot,
    /// and its recent snapshots (one more than are kept exists for a moment during an update). Activations of a
    /// forward pass are transient and not included.
    /// </summary>
    public long MemoryBytes
    {
        get
        {
            long weights = _parameters.Sum(p => p.NumberOfElements * p.ElementSize);
            return 4 * weights + _source.Bytes * (1 + SnapshotsKept + 1);
        }
    }

    /// <summary>
    /// The undo snapshots a learner keeps by default, in bytes. A snapshot is the weights and both Adam moments, about
    /// three times the weights: for the shipped models (1.94 M parameters, 7.8 MB of weights) 23.3 MB, so 256 MiB keeps
    /// the last 11 versions (11 clicks to undo, or versions to roll back to) besides the source.
    /// </summary>
    public const long DefaultSnapshotCapacityBytes = 256L << 20;

    /// <param name="snapshotCapacity">Recent versions kept for undo and rollback, at most (at least 2).</param>
    /// <param name="snapshotCapacityBytes">The memory those snapshots may hold, at most (two are kept whatever their size).</param>
    public OnlineLearner(InteractiveUNet network, ModelCard sourceCard, string strategy, double? learningRate = null, int snapshotCapacity = 24,
                         long snapshotCapacityBytes = DefaultSnapshotCapacityBytes, AdaptationSettings? settings = null,
                         IReadOnlyList<Tensor>? sourceImportance = null)
    {
        Settings = SettingsFor(strategy, settings);
        if (Settings.Consolidation > 0 && sourceImportance is null)
            throw new ArgumentException($"The variant ewc needs the source weights' importance ({SourceImportance.FileName} beside the model's weights: `oaims importance`).");
        _importance = sourceImportance;
        _sourceAnchorWeight = Settings.SourceAnchor;
        _consolidationWeight = Settings.Consolidation;
        Network = network;
        SourceCard = sourceCard;
        Task = sourceCard.ToTask();
        Strategy = AdaptationStrategies.Create(strategy);
        LearningRate = learningRate ?? AdaptationStrategies.DefaultLearningRate(strategy, Task);
        if (!(LearningRate >= 0)) throw new ArgumentException($"Learning rate must be a non-negative number, got {LearningRate}.");
        _snapshotCapacity = Math.Max(2, snapshotCapacity);
        ArgumentOutOfRangeException.ThrowIfNegative(snapshotCapacityBytes);
        _snapshotCapacityBytes = snapshotCapacityBytes;
        network.eval(); // no dropout/BatchNorm: train and eval behave the same, eval is just explicit
        _parameters = network.parameters().ToList();
        _optimizer = optim.Adam(_parameters, LearningRate, eps: Settings.AdamEpsilon);
        _source = LearnerSnapshot.Capture(_parameters, _optimizer);
        _history.Add(new ModelVersion(0, "source", null, null, DateTimeOffset.UtcNow));
    }

    /// <summary>
    /// Runs one guarded update: computes the loss, backpropagates, steps Adam. A non-finite loss or
    /// gradient skips the step; non-finite weights after it are rolled back. Either way the step is reported
    /// with Applied = false and the version does not change. With a source anchor (<see cref="AdaptationSettings.SourceAnchor"/>)
    /// the loss also holds the weights near the source's (L2-SP).
    /// </summary>
    /// <param name="rateScale">This step's rate as a share of <see cref="LearningRate"/>.</param>
    public AdaptationStep Step(string kind, int index, Func<Tensor> computeLoss, Action<AdaptationStep>? report = null, double rateScale = 1)
    {
        var clock = Stopwatch.StartNew();
        var before = SnapshotOf(Version);
        double lossValue;
        bool applied = false;
        foreach (var group in _optimizer.ParamGroups) group.LearningRate = LearningRate * rateScale;
        using (var scope = NewDisposeScope())
        using (enable_grad())
        {
            var loss = WithSourceAnchor(computeLoss());
            lossValue = loss.item<float>();
            _optimizer.zero_grad();
            if (double.IsFinite(lossValue))
            {
                loss.backward();
                if (!GradientsFinite())
                {
                    // Seen rarely with LibTorch 2.10 on this CPU: a finite loss whose first-layer weight gradient
                    // comes back all NaN, and the same step recomputed is fine. One retry, then the guard decides.
                    _optimizer.zero_grad();
                    WithSourceAnchor(computeLoss()).backward();
                }
                if (GradientsFinite())
                {
                    _optimizer.step();
                    applied = AllFinite(_parameters);
                    if (!applied) before.Restore(_parameters, _optimizer);
                }
            }
            _optimizer.zero_grad();
        }
        if (applied) NewVersion(kind, null, lossValue);
        DropOldSnapshots();
        var step = new AdaptationStep(index, kind, lossValue, clock.Elapsed.TotalMilliseconds, Version, applied);
        report?.Invoke(step);
        return step;
    }

    // L2-SP (Li et al., 2018): the squared distance to the source weights, so that what one domain teaches pulls the model
    // away from the source only as far as the losses need.
    // EWC (Kirkpatrick et al., 2017) weighs each weight's distance by its importance on the source domain instead.
    // square() rather than pow(2), and the weights held as Scalars for the learner's life: a Scalar converted from a number
    // for one call can be finalized while LibTorch still reads it, and over these per-weight loops that happened (the
    // variants run at 761595d died in l2sp=1 with "Unknown scalar type", as TSCA's teacher update had before).
    Tensor WithSourceAnchor(Tensor loss)
    {
        if (Settings.SourceAnchor > 0)
        {
            var distance = zeros(1, device: loss.device);
            foreach (var (weight, source) in _parameters.Zip(_source.Weights)) distance = distance + (weight - source).square().sum();
            loss = loss + distance.squeeze().mul(_sourceAnchorWeight);
        }
        if (Settings.Consolidation > 0)
        {
            var weighted = zeros(1, device: loss.device);
            for (int i = 0; i < _parameters.Count; i++) weighted = weighted + (_importance![i] * (_parameters[i] - _source.Weights[i]).square()).sum();
            loss = loss + weighted.squeeze().mul(_consolidationWeight);
        }
        return loss;
    }

    /// <summary>The method's strategies take the measured defaults or the choices asked for; the others run as published.</summary>
    static AdaptationSettings SettingsFor(string strategy, AdaptationSettings? settings)
    {
        if (AdaptationStrategies.IsMethod(strategy)) return settings ?? AdaptationSettings.Default;
        if (settings is not null && settings != AdaptationSettings.Default)
            throw new ArgumentException($"The variants (--variant) are choices inside MI and PI; '{strategy}' runs as published.");
        return AdaptationSettings.Baselines;
    }

    /// <summary>Restores the weights and optimizer state of an earlier version as a new version (undo, rollback).</summary>
    public void RestoreVersion(long version, string kind = "rollback")
    {
        if (version == Version) return;
        if (version == 0) { RestoreSource(kind); return; }
        var snapshot = _recent.FirstOrDefault(s => s.Version == version).Snapshot
                       ?? throw new ArgumentException(version > _lastVersion || version < 0
                           ? $"Version {version} does not exist (latest is {_lastVersion})."
                           : $"Version {version} is too old to restore: only the last {SnapshotsKept} versions and the source are kept.");
        SnapshotOf(Version); // keep the state we leave, so it can be rolled back to
        snapshot.Restore(_parameters, _optimizer);
        NewVersion(kind, version, null);
        DropOldSnapshots(); // only now: the snapshot just restored may have been the oldest
    }

    /// <summary>True when <see cref="RestoreVersion"/> can bring back this version (the source, or a snapshot still kept).</summary>
    public bool CanRestore(long version) => version == 0 || version == Version || _recent.Any(s => s.Version == version);

    /// <summary>Back to the source weights and a fresh optimizer; the history is kept.</summary>
    public void ResetToSource() => RestoreSource("reset");

    // Undo or rollback to version 0 restores the source too, but is recorded as what the user asked for.
    void RestoreSource(string kind)
    {
        if (Version == 0) return;
        SnapshotOf(Version);
        _source.Restore(_parameters, _optimizer);
        Strategy = AdaptationStrategies.Create(Strategy.Name); // strategies with state (TSCA's teacher) start again too
        NewVersion(kind, 0, null);
        DropOldSnapshots();
    }

    /// <summary>SHA-256 of the current weights: equal checksums mean identical weights.</summary>
    public string WeightsChecksum()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var p in _parameters)
        {
            using var cpu = p.detach().cpu().contiguous();
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(cpu.data<float>().ToArray().AsSpan()));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The current weights as a checkpoint (card of the source, adapted weights, provenance of the adaptation).</summary>
    /// <param name="origin">Where the adaptation came from (source, stream, command), recorded in the card when given.</param>
    public void ExportCheckpoint(string directory, string name, OriginCard? origin = null) =>
        Checkpoint.Save(directory, Network, SourceCard with
        {
            Name = name,
            Metrics = new(),
            Origin = origin ?? SourceCard.Origin,
            Training = SourceCard.Training is null ? null : SourceCard.Training with { Command = SourceCard.Training.Command + $" | adapted online: {Strategy.Name}, version {Version}" },
        });

    sealed record LearnerState(string Strategy, double LearningRate, long Version, long LastVersion, List<ModelVersion> History);

    public const string StateFile = "learner.json";
    public const string SourceFolder = "source";

    /// <summary>
    /// Writes weights, optimizer state, source weights and history into a folder, each file atomically. For a save that a
    /// restart relies on, go through <see cref="LearnerStore"/>, which makes the files one unit.
    /// </summary>
    public void Save(string directory)
    {
        using var source = SourceNetworkCopy();
        Checkpoint.Save(Path.Combine(directory, SourceFolder), source, SourceCard);
        Checkpoint.Save(Path.Combine(directory, "current"), Network, SourceCard);
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true)) _optimizer.save_state_dict(writer);
        AtomicFile.WriteAllBytes(Path.Combine(directory, "optimizer.bin"), buffer.ToArray());
        var state = new LearnerState(Strategy.Name, LearningRate, Version, _lastVersion, _history);
        AtomicFile.WriteAllText(Path.Combine(directory, StateFile), JsonSerializer.Serialize(state, ModelCard.Json));
    }

    public static OnlineLearner Load(string directory, Device? device = null)
    {
        var state = JsonSerializer.Deserialize<LearnerState>(File.ReadAllText(Path.Combine(directory, StateFile)), ModelCard.Json)
                    ?? throw new InvalidDataException($"{directory}/{StateFile} is empty.");
        var (network, card) = Checkpoint.Load(Path.Combine(directory, SourceFolder), device);
        var learner = new OnlineLearner(network, card, state.Strategy, state.LearningRate);
        var (current, _) = Checkpoint.Load(Path.Combine(directory, "current"), device);
        using (current)
        using (no_grad())
            foreach (var (target, source) in learner._parameters.Zip(current.parameters())) target.copy_(source);
        using (var reader = new BinaryReader(File.OpenRead(Path.Combine(directory, "optimizer.bin")))) learner._optimizer.load_state_dict(reader);
        learner._history.Clear();
        learner._history.AddRange(state.History);
        learner.Version = state.Version;
        learner._lastVersion = state.LastVersion;
        return learner;
    }

    InteractiveUNet SourceNetworkCopy()
    {
        var copy = new InteractiveUNet(Network.Config, Network.Device);
        using var optimizer = optim.Adam(copy.parameters(), LearningRate);
        _source.Restore(copy.parameters().ToList(), optimizer);
        return copy;
    }

    void NewVersion(string kind, long? restoredFrom, double? loss)
    {
        Version = ++_lastVersion;
        _history.Add(new ModelVersion(Version, kind, restoredFrom, loss, DateTimeOffset.UtcNow));
    }

    LearnerSnapshot SnapshotOf(long version)
    {
        if (version == 0) return _source;
        var existing = _recent.FirstOrDefault(s => s.Version == version);
        if (existing.Snapshot is not null) return existing.Snapshot;
        var snapshot = LearnerSnapshot.Capture(_parameters, _optimizer);
        _recent.AddLast((version, snapshot));
        return snapshot;
    }

    // Bounded by count and by bytes; every snapshot of a learner has the same size, so the bytes give a count too.
    void DropOldSnapshots()
    {
        while (_recent.Count > SnapshotsKept)
        {
            _recent.First!.Value.Snapshot.Dispose();
            _recent.RemoveFirst();
        }
    }

    bool GradientsFinite() => AllFinite(_parameters.Select(p => p.grad).OfType<Tensor>());

    static bool AllFinite(IEnumerable<Tensor> tensors) => tensors.All(t => t.isfinite().all().item<bool>());

    public void Dispose()
    {
        foreach (var (_, snapshot) in _recent) snapshot.Dispose();
        _source.Dispose();
        _optimizer.Dispose();
        Network.Dispose();
        _sourceAnchorWeight.Dispose();
        _consolidationWeight.Dispose();
    }
}
