using Oaims.Imaging;
using Oaims.Interaction;
using Oaims.Learning.Adaptation;
using Oaims.Learning.Data;

namespace Oaims.Learning.Sessions;

/// <summary>A click on a volume: the slice axis, the voxel (i, j, k) clicked, and the class it asserts.</summary>
public readonly record struct VolumeClick(int Axis, int I, int J, int K, int Class);

/// <summary>What a volume click produced: the slice it touched, the steps, and the time split.</summary>
public sealed record VolumeClickOutcome(int Axis, int Slice, IReadOnlyList<AdaptationStep> Steps, double AdaptationMilliseconds, double ForwardMilliseconds);

/// <summary>
/// One user segmenting one volume in a workspace: the whole label volume, a <see cref="SliceInteraction"/>
/// for every slice clicked on, and one undo stack across slices. A 2D RGB image is a volume with one slice.
/// The model works on 2D slices along the axis of each click.
/// </summary>
public sealed class VolumeSession : IDisposable
{
    readonly OnlineLearner _learner;
    readonly Volume _normalised;
    readonly Dictionary<(int Axis, int Slice), SliceInteraction> _slices = new();
    readonly Stack<(int Axis, int Slice, byte[] Before)> _undo = new();

    public VolumeSession(OnlineLearner learner, Volume image)
    {
        _normalised = IntensityNormaliser.NormalisedCopy(image, learner.Task);
        _learner = learner;
        Labels = new byte[image.VoxelCount];
    }

    public int[] Dims => _normalised.Dims;
    /// <summary>The current label volume (0 = background), x fastest like the image.</summary>
    public byte[] Labels { get; }
    public int ClickCount => _undo.Count;
    public bool Committed { get; private set; }

    /// <summary>Every click so far, per slice, in the order they were made on that slice.</summary>
    public IEnumerable<(int Axis, int Slice, IReadOnlyList<Click> Clicks)> Clicks() =>
        _slices.Select(s => (s.Key.Axis, s.Key.Slice, s.Value.Clicks));

    public VolumeClickOutcome AddClick(VolumeClick click, Action<AdaptationStep>? report = null)
    {
        if (Committed) throw new InvalidOperationException("This session was committed; open a new one to keep working on the image.");
        if (click.Axis is < 0 or > 2) throw new ArgumentOutOfRangeException(nameof(click), $"Axis {click.Axis} does not exist: use 0, 1 or 2.");
        if ((uint)click.I >= (uint)Dims[0] || (uint)click.J >= (uint)Dims[1] || (uint)click.K >= (uint)Dims[2])
            throw new ArgumentOutOfRangeException(nameof(click), $"Voxel ({click.I}, {click.J}, {click.K}) lies outside the {Dims[0]}x{Dims[1]}x{Dims[2]} image.");
        int slice = click.Axis switch { 0 => click.I, 1 => click.J, _ => click.K };
        var (x, y) = click.Axis switch { 0 => (click.J, click.K), 1 => (click.I, click.K), _ => (click.I, click.J) };

        var interaction = SliceAt(click.Axis, slice);
        var before = ReadSlice(click.Axis, slice);
        var outcome = interaction.AddClick(new Click(x, y, click.Class, click.Axis, slice), report);
        _undo.Push((click.Axis, slice, before));
        WriteSlice(click.Axis, slice, outcome.Mask);
        return new VolumeClickOutcome(click.Axis, slice, outcome.Steps, outcome.AdaptationMilliseconds, outcome.ForwardMilliseconds);
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

    /// <summary>Accepts the label volume: post-interaction learning on every slice that was clicked.</summary>
    public IReadOnlyList<AdaptationStep> Commit(Action<AdaptationStep>? report = null)
    {
        if (Committed) throw new InvalidOperationException("This session was already committed.");
        var steps = new List<AdaptationStep>();
        foreach (var ((axis, slice), interaction) in _slices)
        {
            var (w, h) = VolumeSlices.SliceShape(Dims, axis);
            var mask = new LabelMap(w, h, ReadSlice(axis, slice).Select(b => (int)b).ToArray());
            steps.AddRange(interaction.Commit(mask, report));
        }
        Committed = true;
        return steps;
    }

    SliceInteraction SliceAt(int axis, int slice)
    {
        if (_slices.TryGetValue((axis, slice), out var existing)) return existing;
        var (w, h) = VolumeSlices.SliceShape(Dims, axis);
        var planar = VolumeSlices.ExtractPlanar(_normalised, axis, slice);
        var sample = new SliceSample($"axis{axis}/slice{slice}", planar, _normalised.ChannelCount, w, h, null);
        return _slices[(axis, slice)] = new SliceInteraction(_learner, sample);
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
