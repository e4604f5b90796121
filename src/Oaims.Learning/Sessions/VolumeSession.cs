using Oaims.Imaging;
using Oaims.Interaction;
using Oaims.Learning.Adaptation;
using Oaims.Learning.Data;
using Oaims.Learning.Inference;

namespace Oaims.Learning.Sessions;

/// <summary>A click on a volume: the slice axis, the voxel (i, j, k) clicked, and the class it asserts.</summary>
public readonly record struct VolumeClick(int Axis, int I, int J, int K, int Class);

/// <summary>What a volume click produced: the slice it touched, the steps, the time split, and whether a refined mask replaced the first.</summary>
public sealed record VolumeClickOutcome(int Axis, int Slice, IReadOnlyList<AdaptationStep> Steps, double AdaptationMilliseconds, double ForwardMilliseconds,
                                        bool Refined = false);

/// <summary>
/// One user segmenting one volume in a workspace: the whole label volume, a <see cref="SliceInteraction"/>
/// for every slice clicked on, and one undo stack across slices. A 2D RGB image is a volume with one slice.
/// The model works on 2D slices along the axis of each click. Propagation proposes the neighbours of a slice from its
/// mask; a proposed slice stays a proposal until the user clicks it (a correction, seeded with the proposal's clicks)
/// or accepts it.
/// </summary>
public sealed class VolumeSession : IDisposable
{
    readonly OnlineLearner _learner;
    readonly Volume _normalised;
    readonly Dictionary<(int Axis, int Slice), SliceInteraction> _slices = new();
    readonly Stack<(int Axis, int Slice, byte[] Before)> _undo = new();
    // Proposed slices and the synthetic clicks each was predicted from.
    readonly Dictionary<(int Axis, int Slice), IReadOnlyList<Click>> _proposals = new();

    /// <param name="fieldOfView">Side of the window each slice's first click centres the model on (0: the whole slice; SliceInteraction).</param>
    public VolumeSession(OnlineLearner learner, Volume image, int fieldOfView = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fieldOfView);
        FieldOfView = fieldOfView;
        _normalised = IntensityNormaliser.NormalisedCopy(image, learner.Task);
        _learner = learner;
        Labels = new byte[image.VoxelCount];
    }

    public int[] Dims => _normalised.Dims;

    /// <summary>Side of the window each slice's first click centres the model on; 0: the whole slice.</summary>
    public int FieldOfView { get; }
    /// <summary>The current label volume (0 = background), x fastest like the image.</summary>
    public byte[] Labels { get; }
    public int ClickCount => _undo.Count;
    public bool Committed { get; private set; }

    /// <summary>Every click so far, per slice, in the order they were made on that slice.</summary>
    public IEnumerable<(int Axis, int Slice, IReadOnlyList<Click> Clicks)> Clicks() =>
        _slices.Select(s => (s.Key.Axis, s.Key.Slice, s.Value.Clicks));

    /// <summary>
    /// Adds a click (see <see cref="SliceInteraction.AddClick"/>): the first mask is written into <see cref="Labels"/> and
    /// <paramref name="firstMaskWritten"/> called with its axis and slice before the adaptation steps run; the refined
    /// mask, if any, is written before this returns.
    /// </summary>
    public VolumeClickOutcome AddClick(VolumeClick click, Action<AdaptationStep>? report = null, Action<int, int>? firstMaskWritten = null)
    {
        if (Committed) throw new InvalidOperationException("This session was committed; open a new one to keep working on the image.");
        if (click.Axis is < 0 or > 2) throw new ArgumentOutOfRangeException(nameof(click), $"Axis {click.Axis} does not exist: use 0, 1 or 2.");
        if ((uint)click.I >= (uint)Dims[0] || (uint)click.J >= (uint)Dims[1] || (uint)click.K >= (uint)Dims[2])
            throw new ArgumentOutOfRangeException(nameof(click), $"Voxel ({click.I}, {click.J}, {click.K}) lies outside the {Dims[0]}x{Dims[1]}x{Dims[2]} image.");
        int slice = click.Axis switch { 0 => click.I, 1 => click.J, _ => click.K };
        var (x, y) = click.Axis switch { 0 => (click.J, click.K), 1 => (click.I, click.K), _ => (click.I, click.J) };

        var interaction = SliceAt(click.Axis, slice);
        var before = ReadSlice(click.Axis, slice);
        var outcome = interaction.AddClick(new Click(x, y, click.Class, click.Axis, slice), report, first =>
        {
            _undo.Push((click.Axis, slice, before)); // the click stands from its first mask on
            WriteSlice(click.Axis, slice, first);
            firstMaskWritten?.Invoke(click.Axis, slice);
        });
        if (outcome.Refined) WriteSlice(click.Axis, slice, outcome.Mask);
        return new VolumeClickOutcome(click.Axis, slice, outcome.Steps, outcome.AdaptationMilliseconds, outcome.ForwardMilliseconds, outcome.Refined);
    }

    /// <summary>
    /// Takes back the last click (on whichever slice): its mask, and its weight update while nothing else changed the model
    /// since (see <see cref="SliceInteraction.Undo"/>). Returns the slice and the outcome, or null when there was no click.
    /// </summary>
    public (int Axis, int Slice, UndoOutcome Outcome)? Undo()
    {
        if (Committed || _undo.Count == 0) return null;
        var (axis, slice, before) = _undo.Pop();
        var outcome = _slices[(axis, slice)].Undo();
        WriteSlice(axis, slice, before);
        return (axis, slice, outcome);
    }

    /// <summary>True while the slice shows a propagated proposal nobody has clicked or accepted.</summary>
    public bool IsProposal(int axis, int slice) => _proposals.ContainsKey((axis, slice));

    /// <summary>The proposed slices along an axis, in order.</summary>
    public IReadOnlyList<int> Proposals(int axis) => _proposals.Keys.Where(k => k.Axis == axis).Select(k => k.Slice).Order().ToArray();

    /// <summary>
    /// Accepts one slice as it is shown (a proposal, or a clicked slice): post-interaction learning on it now, so that
    /// propagation from here on uses a model that has learnt from it. The slice is the user's from then on.
    /// </summary>
    public IReadOnlyList<AdaptationStep> AcceptSlice(int axis, int slice, Action<AdaptationStep>? report = null)
    {
        EnsureOpen(axis, slice);
        var interaction = SliceAt(axis, slice);
        if (interaction.Committed) throw new InvalidOperationException($"Slice {slice} along axis {axis} was already accepted.");
        return interaction.Commit(SliceMask(axis, slice), report);
    }

    /// <summary>
    /// Proposes the neighbours of a slice one after the other, down then up, each predicted by the current (adapted) model
    /// from seeds placed on the previous slice's mask. A direction stops where the structure ends (no seed, or a proposal
    /// under <see cref="PropagationSeeds.MinimumArea"/> pixels; the stale proposals beyond are cleared), at a slice the user
    /// clicked or accepted, at the image's edge, or after <paramref name="maxSlices"/> proposals in all.
    /// </summary>
    /// <exception cref="ArgumentException">The slice shows no structure to start from.</exception>
    public PropagationOutcome Propagate(int axis, int fromSlice, PropagationSeeding? seeding = null, int maxSlices = int.MaxValue, Action<PropagatedSlice>? report = null)
    {
        EnsureOpen(axis, fromSlice);
        seeding ??= PropagationSeeding.Default;
        var start = SliceMask(axis, fromSlice);
        int area = PropagationSeeds.Area(start);
        if (area < PropagationSeeds.MinimumArea)
            throw new ArgumentException($"Slice {fromSlice} along axis {axis} shows {area} labelled pixels, too few to propagate from (at least {PropagationSeeds.MinimumArea}): click the structure on it first.");
        var proposed = new List<int>();
        var cleared = new List<int>();
        var stops = new List<string>();
        foreach (int direction in new[] { -1, 1 })
        {
            var previous = start;
            int slice = fromSlice + direction;
            string stop;
            while (true)
            {
                if (slice < 0 || slice >= Dims[axis]) { stop = "the image ends"; break; }
                if (proposed.Count >= maxSlices) { stop = $"{maxSlices} slices were proposed"; break; }
                if (_slices.ContainsKey((axis, slice))) { stop = $"slice {slice} is the user's (clicked or accepted)"; break; }
                var seeds = seeding.Seeds(previous).Select(c => c with { Axis = axis, Slice = slice }).ToArray();
                var mask = seeds.Length == 0 ? null : seeding.Proposal(PredictSlice(axis, slice, seeds), seeds);
                if (mask is null || PropagationSeeds.Area(mask) < PropagationSeeds.MinimumArea)
                {
                    stop = $"the structure ends after slice {slice - direction}";
                    ClearProposals(axis, slice, direction, cleared, proposed.Count, report);
                    break;
                }
                WriteSlice(axis, slice, mask);
                _proposals[(axis, slice)] = seeds;
                proposed.Add(slice);
                report?.Invoke(new PropagatedSlice(axis, slice, mask, seeds, proposed.Count));
                previous = mask;
                slice += direction;
            }
            stops.Add(stop);
        }
        return new PropagationOutcome(axis, fromSlice, proposed, cleared, stops[0], stops[1]);
    }

    // Proposals of an earlier propagation that reached further than this one: the structure ends before them now.
    void ClearProposals(int axis, int slice, int direction, List<int> cleared, int done, Action<PropagatedSlice>? report)
    {
        var (w, h) = VolumeSlices.SliceShape(Dims, axis);
        for (; slice >= 0 && slice < Dims[axis] && _proposals.Remove((axis, slice)); slice += direction)
        {
            var empty = new LabelMap(w, h);
            WriteSlice(axis, slice, empty);
            cleared.Add(slice);
            report?.Invoke(new PropagatedSlice(axis, slice, empty, [], done));
        }
    }

    LabelMap PredictSlice(int axis, int slice, IReadOnlyList<Click> seeds)
    {
        using var predictor = new Predictor(_learner.Network, _learner.Task, SampleAt(axis, slice));
        return predictor.Predict(seeds);
    }

    /// <summary>Accepts the label volume: post-interaction learning on every slice that was clicked and not accepted already.</summary>
    public IReadOnlyList<AdaptationStep> Commit(Action<AdaptationStep>? report = null)
    {
        if (Committed) throw new InvalidOperationException("This session was already committed.");
        var steps = new List<AdaptationStep>();
        foreach (var ((axis, slice), interaction) in _slices)
        {
            if (interaction.Committed) continue;
            steps.AddRange(interaction.Commit(SliceMask(axis, slice), report));
        }
        Committed = true;
        return steps;
    }

    // A proposal the user touches becomes the user's slice, starting from the proposal's seeds and mask.
    SliceInteraction SliceAt(int axis, int slice)
    {
        if (_slices.TryGetValue((axis, slice), out var existing)) return existing;
        var interaction = _proposals.Remove((axis, slice), out var seeds)
            ? new SliceInteraction(_learner, SampleAt(axis, slice), seeds, SliceMask(axis, slice))
            : new SliceInteraction(_learner, SampleAt(axis, slice), fieldOfView: FieldOfView);
        return _slices[(axis, slice)] = interaction;
    }

    SliceSample SampleAt(int axis, int slice)
    {
        var (w, h) = VolumeSlices.SliceShape(Dims, axis);
        return new SliceSample($"axis{axis}/slice{slice}", VolumeSlices.ExtractPlanar(_normalised, axis, slice), _normalised.ChannelCount, w, h, null);
    }

    LabelMap SliceMask(int axis, int slice)
    {
        var (w, h) = VolumeSlices.SliceShape(Dims, axis);
        return new LabelMap(w, h, ReadSlice(axis, slice).Select(b => (int)b).ToArray());
    }

    void EnsureOpen(int axis, int slice)
    {
        if (Committed) throw new InvalidOperationException("This session was committed; open a new one to keep working on the image.");
        if (axis is < 0 or > 2) throw new ArgumentOutOfRangeException(nameof(axis), $"Axis {axis} does not exist: use 0, 1 or 2.");
        if ((uint)slice >= (uint)Dims[axis]) throw new ArgumentOutOfRangeException(nameof(slice), $"Slice {slice} is outside 0..{Dims[axis] - 1} along axis {axis}.");
    }

    byte[] ReadSlice(int axis, int slice) => VolumeSlices.ExtractValues(Labels, Dims, axis, slice);

    void WriteSlice(int axis, int slice, LabelMap mask) =>
        WriteSlice(axis, slice, mask.Labels.Select(label => (byte)label).ToArray());

    void WriteSlice(int axis, int slice, byte[] values) => VolumeSlices.InsertValues<byte>(Labels, Dims, axis, slice, values);

    public void Dispose()
    {
        foreach (var s in _slices.Values) s.Dispose();
    }
}
