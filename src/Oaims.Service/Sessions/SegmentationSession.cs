using System.Diagnostics;
using Oaims.Interaction;
using Oaims.Learning.Adaptation;
using Oaims.Learning.Sessions;
using Oaims.Service.Images;
using Oaims.Service.Memory;
using Oaims.Service.Workspaces;

namespace Oaims.Service.Sessions;

/// <summary>One mask of a click as it travels: the delta against what the client had, the slice, and whether it is the refined one.</summary>
public sealed record ClickMask(MaskDelta Delta, int Axis, int Slice, bool Refined, double EncodeMilliseconds);

/// <summary>What one click produced for the client: the steps and timings, the first mask, the refined one (if the weights changed), and the session's state after it.</summary>
public sealed record ClickResult(VolumeClickOutcome Outcome, ClickMask First, ClickMask? Refined, int ClickCount, long ModelVersion)
{
    public double EncodeMilliseconds => First.EncodeMilliseconds + (Refined?.EncodeMilliseconds ?? 0);
}

/// <summary>What an undo produced: what was taken back (mask, weights), the mask delta, and the state after it.</summary>
public sealed record UndoResult(UndoOutcome Outcome, MaskDelta Delta, int ClickCount, long ModelVersion);

/// <summary>One slice a propagation changed, as the client applies it: the delta, and whether it is now a proposal.</summary>
public sealed record PropagatedDelta(int Axis, int Slice, MaskDelta Delta, bool Proposal, int Done);

/// <summary>What a propagation produced: the learning layer's outcome, the acceptance steps (if asked), and the version proposals came from.</summary>
public sealed record PropagateResult(PropagationOutcome Outcome, IReadOnlyList<AdaptationStep> Steps, long ModelVersion, double Milliseconds);

/// <summary>What a commit produced: the post-interaction steps and the model version after them.</summary>
public sealed record CommitResult(IReadOnlyList<AdaptationStep> Steps, long ModelVersion)
{
    /// <summary>When the session's image came from the datastore: the version of its label this commit stored.</summary>
    public long? DatastoreLabelVersion { get; init; }
}

/// <summary>
/// One user working on one uploaded image in a workspace, as the sidecar keeps it: the learning layer's
/// <see cref="VolumeSession"/>, the target class, the lease, and the labels as the client last saw them (so that
/// each click travels as the delta of one slice). Methods marked "worker" run on the workspace's worker only.
/// Its copies of the image (normalised float32, labels, labels as sent) are held against the memory budget until it closes.
/// </summary>
public sealed class SegmentationSession : IDisposable
{
    readonly VolumeSession _volume;
    readonly byte[] _sent;
    readonly MemoryReservation _memory;
    long _lastUsed = Environment.TickCount64;
    int _callsInProgress;

    /// <summary>
    /// Checks the target class, reserves the session's memory, then makes its copies of the image; the mask starts as
    /// <paramref name="initialMask"/> (an existing segment, already checked by <see cref="ClientMask.Read"/>) or empty.
    /// </summary>
    public SegmentationSession(string id, Workspace workspace, StoredImage image, int targetClass, int leaseSeconds, MemoryBudget budget,
        ClientMask? initialMask = null, int fieldOfView = 0)
    {
        var task = workspace.Model.Task;
        if (targetClass < 1 || targetClass >= task.Classes)
            throw new ArgumentException($"Target class {targetClass} does not exist for model '{workspace.Model.Name}': use 1 to {task.Classes - 1} ({string.Join(", ", task.ClassNames.Skip(1))}).");
        if (image.Volume.ChannelCount != task.ImageChannels)
            throw new ArgumentException($"The model expects {task.ImageChannels}-channel images but this one has {image.Volume.ChannelCount}.");
        Id = id; Workspace = workspace; ImageId = image.Id; Dims = image.Volume.Dims; TargetClass = targetClass; LeaseSeconds = leaseSeconds;
        IjkToRas = image.Volume.IjkToRas; ModelVersionAtOpen = workspace.Version;
        _memory = budget.Reserve(MemoryBytesOf(image), MemoryUse.Sessions, $"A session on image {image.Id[..12]} ({string.Join("x", Dims)})");
        try
        {
            // The session keeps only its own copies, not the stored image: evicting that one frees its memory.
            _volume = new VolumeSession(workspace.Learner, image.Volume, fieldOfView); // no torch here: the image is only normalised
            _sent = new byte[image.Volume.VoxelCount];
            // The client holds this mask already: it is the base its first click's delta changes.
            initialMask?.WriteInto(_volume.Labels, Shape);
            initialMask?.WriteInto(_sent, Shape);
        }
        catch
        {
            _memory.Dispose();
            throw;
        }
    }

    /// <summary>A session's copies: the normalised float32 image, the label volume, and the labels as the client last saw them.</summary>
    public static long MemoryBytesOf(StoredImage image) => image.Volume.VoxelCount * (image.Volume.ChannelCount * sizeof(float) + 2);

    public string Id { get; }
    public Workspace Workspace { get; }
    public string ImageId { get; }
    public int TargetClass { get; }
    public int LeaseSeconds { get; }
    /// <summary>Side of the window each slice's first click centres the model on (0: the whole slice).</summary>
    public int FieldOfView => _volume.FieldOfView;
    public int[] Dims { get; }
    /// <summary>The image's geometry, so a label saved from this session lies where the image does.</summary>
    public double[,] IjkToRas { get; }
    public long ModelVersionAtOpen { get; }
    /// <summary>The clicks still in effect with their masks and steps (worker only).</summary>
    public ClickLog Log { get; } = new();
    public VolumeShape Shape => new(Dims[0], Dims[1], Dims[2]);
    public int ClickCount => _volume.ClickCount;
    public bool Committed => _volume.Committed;
    public bool Closed { get; private set; }

    public DateTimeOffset ExpiresAt => DateTimeOffset.UtcNow.AddMilliseconds(LeaseSeconds * 1000L - (Environment.TickCount64 - Volatile.Read(ref _lastUsed)));

    /// <summary>
    /// Idle longer than the lease. Time a call spends waiting for the workspace's worker, or running there, is not
    /// idle time: a session with a call in progress never expires, and the lease runs again from the end of its last call.
    /// </summary>
    public bool IsExpired => Volatile.Read(ref _callsInProgress) == 0 && Environment.TickCount64 - Volatile.Read(ref _lastUsed) > LeaseSeconds * 1000L;

    /// <summary>Renews the lease (any call on the session does).</summary>
    public void Touch() => Volatile.Write(ref _lastUsed, Environment.TickCount64);

    /// <summary>Holds the lease while a call waits for the worker and runs; disposing it renews the lease.</summary>
    public IDisposable CallInProgress()
    {
        Interlocked.Increment(ref _callsInProgress);
        return new Call(this);
    }

    sealed class Call(SegmentationSession session) : IDisposable
    {
        int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) != 0) return;
            session.Touch();
            Interlocked.Decrement(ref session._callsInProgress);
        }
    }

    /// <summary>Checks a click against the image and the model before it is queued, so a bad click costs nothing.</summary>
    public VolumeClick Validate(UserClick click)
    {
        if (click.Axis is < 0 or > 2) throw new ArgumentException($"Axis {click.Axis} does not exist: use 0, 1 or 2.");
        if (Dims[2] == 1 && click.Axis != 2)
            throw new ArgumentException($"This image is 2D ({Dims[0]}x{Dims[1]}, one slice): click along axis 2, not {click.Axis}.");
        if ((uint)click.I >= (uint)Dims[0] || (uint)click.J >= (uint)Dims[1] || (uint)click.K >= (uint)Dims[2])
            throw new ArgumentException($"Voxel ({click.I}, {click.J}, {click.K}) lies outside the {Dims[0]}x{Dims[1]}x{Dims[2]} image.");
        int classes = Workspace.Model.Task.Classes;
        int label = click switch
        {
            { Class: int c } => c,
            { Positive: bool p } => p ? TargetClass : 0,
            _ => throw new ArgumentException("A click needs a label: positive (true or false) or a class index."),
        };
        if ((uint)label >= (uint)classes)
            throw new ArgumentException($"Class {label} does not exist: model '{Workspace.Model.Name}' knows {classes} classes ({string.Join(", ", Workspace.Model.Task.ClassNames)}).");
        return new VolumeClick(click.Axis, click.I, click.J, click.K, label);
    }

    /// <summary>
    /// Worker: adds the click. The first mask's delta goes to <paramref name="showFirstMask"/> as soon as the forward pass
    /// with the click exists; then the strategy may adapt the model (steps reported as they happen); when that changed
    /// the weights, the refined mask's delta is in the result.
    /// </summary>
    public ClickResult Click(VolumeClick click, Action<AdaptationStep> report, Action<ClickMask> showFirstMask)
    {
        EnsureOpen();
        ClickMask? first = null;
        var outcome = _volume.AddClick(click, report, (axis, slice) =>
        {
            first = Encode(axis, slice, refined: false, alsoCover: null);
            showFirstMask(first);
        });
        Log.Add(click, outcome.Slice, _volume.Labels, Dims, outcome.Steps, Workspace.Learner.Version);
        // The refined box also covers what the first delta changed: a client that skipped the first mask still ends right.
        var refined = outcome.Refined ? Encode(outcome.Axis, outcome.Slice, refined: true, alsoCover: first!.Delta.Box) : null;
        return new ClickResult(outcome, first!, refined, ClickCount, Workspace.Learner.Version);
    }

    ClickMask Encode(int axis, int slice, bool refined, VoxelBox? alsoCover)
    {
        var clock = Stopwatch.StartNew();
        var delta = DeltaOf(axis, slice);
        if (alsoCover is VoxelBox covered)
            delta = MaskDelta.OfBox<byte>(_volume.Labels, Shape, delta.Box is VoxelBox changed ? changed.Union(covered) : covered);
        return new ClickMask(delta, axis, slice, refined, clock.Elapsed.TotalMilliseconds);
    }

    /// <summary>Worker: takes back the last click's mask, and its weight update unless the workspace changed since.</summary>
    public UndoResult Undo()
    {
        EnsureOpen();
        if (_volume.Undo() is not { } undone) return new UndoResult(UndoOutcome.Nothing, MaskDelta.Empty, ClickCount, Workspace.Learner.Version);
        Log.RemoveLast();
        return new UndoResult(undone.Outcome, DeltaOf(undone.Axis, undone.Slice), ClickCount, Workspace.Learner.Version);
    }

    /// <summary>
    /// Checks a mask the client sent against this session's image and model (off the worker, before anything is queued).
    /// <paramref name="what"/> names it in sentences.
    /// </summary>
    public ClientMask? ReadMask(IReadOnlyList<MaskDelta> boxes, string what) => ClientMask.Read(boxes, Shape, Workspace.Model, what);

    /// <summary>
    /// Worker: accepts the mask, with the user's hand edits (<paramref name="finalMask"/>) written over it first, so the
    /// strategy's post-interaction learning (steps reported as they happen) learns from the mask the user accepted.
    /// </summary>
    public CommitResult Commit(ClientMask? finalMask, Action<AdaptationStep> report)
    {
        EnsureOpen();
        if (Committed) throw new InvalidOperationException("This session was already committed.");
        finalMask?.WriteInto(_volume.Labels, Shape);
        finalMask?.WriteInto(_sent, Shape);
        var steps = _volume.Commit(report);
        return new CommitResult(steps, Workspace.Learner.Version);
    }

    /// <summary>Worker: makes the label volume the one given (what the user accepted), before a commit learns from it.</summary>
    public void ReplaceLabels(byte[] labels)
    {
        EnsureOpen();
        if (labels.Length != _volume.Labels.Length)
            throw new ArgumentException($"The label has {labels.Length} voxels but the image {string.Join("x", Dims)} has {_volume.Labels.Length}.");
        ClientMask.EnsureClasses(labels, Workspace.Model, "The label");
        labels.CopyTo(_volume.Labels, 0);
    }

    /// <summary>Checks a propagation request against the image before it is queued.</summary>
    public void ValidatePropagation(int axis, int slice, int maxSlices)
    {
        if (axis is < 0 or > 2) throw new ArgumentException($"Axis {axis} does not exist: use 0, 1 or 2.");
        if (Dims[2] == 1 && axis != 2) throw new ArgumentException($"This image is 2D ({Dims[0]}x{Dims[1]}, one slice): propagate along axis 2, not {axis}.");
        if ((uint)slice >= (uint)Dims[axis]) throw new ArgumentException($"Slice {slice} is outside 0..{Dims[axis] - 1} along axis {axis}.");
        if (maxSlices < 0) throw new ArgumentException($"max_slices must be 0 (no limit) or positive, got {maxSlices}.");
    }

    /// <summary>
    /// Worker: accepts the slice first when asked (steps reported as they happen), then propagates from it, reporting each
    /// changed slice as the delta against what the client has.
    /// </summary>
    public PropagateResult Propagate(int axis, int slice, bool acceptFirst, int maxSlices, Action<AdaptationStep> step, Action<PropagatedDelta> changed)
    {
        EnsureOpen();
        var clock = Stopwatch.StartNew();
        var steps = acceptFirst ? _volume.AcceptSlice(axis, slice, step) : [];
        var outcome = _volume.Propagate(axis, slice, maxSlices: maxSlices == 0 ? int.MaxValue : maxSlices,
            report: s => changed(new PropagatedDelta(s.Axis, s.Slice, DeltaOf(s.Axis, s.Slice), _volume.IsProposal(s.Axis, s.Slice), s.Done)));
        return new PropagateResult(outcome, steps, Workspace.Learner.Version, clock.Elapsed.TotalMilliseconds);
    }

    /// <summary>Worker: a copy of the label volume (encoding it into chunks can then happen off the worker).</summary>
    public byte[] CopyLabels()
    {
        EnsureOpen();
        return (byte[])_volume.Labels.Clone();
    }

    /// <summary>Worker: marks the session closed, frees its tensors and gives its memory back.</summary>
    public void Close()
    {
        if (Closed) return;
        Closed = true;
        _volume.Dispose();
        _memory.Dispose();
    }

    void EnsureOpen()
    {
        if (Closed) throw new NotFoundException($"Session {Id} was closed.");
    }

    // The click changed one slice at most: compare only that slice with what the client has, then bring the copy up to date.
    MaskDelta DeltaOf(int axis, int slice)
    {
        var box = axis switch
        {
            0 => new VoxelBox(slice, 0, 0, slice, Dims[1] - 1, Dims[2] - 1),
            1 => new VoxelBox(0, slice, 0, Dims[0] - 1, slice, Dims[2] - 1),
            _ => new VoxelBox(0, 0, slice, Dims[0] - 1, Dims[1] - 1, slice),
        };
        var delta = MaskDelta.Between<byte>(_sent, _volume.Labels, Shape, box);
        if (delta.Box is VoxelBox changed)
        {
            var shape = Shape;
            for (int z = changed.MinZ; z <= changed.MaxZ; z++)
                for (int y = changed.MinY; y <= changed.MaxY; y++)
                {
                    int start = shape.IndexOf(changed.MinX, y, z);
                    _volume.Labels.AsSpan(start, changed.Width).CopyTo(_sent.AsSpan(start, changed.Width));
                }
        }
        return delta;
    }

    public void Dispose() => Close();
}
