using System.Diagnostics;
using Oaims.Interaction;
using Oaims.Learning.Data;
using Oaims.Learning.Inference;

namespace Oaims.Learning.Adaptation;

/// <summary>What one click produced: the mask shown after it, the adaptation steps, where the time went, and the first mask.</summary>
/// <param name="Mask">The mask the click leaves: the refined one when the steps changed the weights, else the first.</param>
/// <param name="FirstMask">The mask from the forward pass with the new click, before any adaptation step (shown at once).</param>
/// <param name="Refined">True when the steps changed the weights and <paramref name="Mask"/> comes from the adapted model.</param>
public sealed record ClickOutcome(LabelMap Mask, IReadOnlyList<AdaptationStep> Steps, double AdaptationMilliseconds, double ForwardMilliseconds,
                                  LabelMap FirstMask, bool Refined);

/// <summary>What an undo did to the model: the click made no update, its update was taken back, or it was kept.</summary>
public enum UndoWeights { NoUpdate, Restored, Kept }

/// <summary>What an undo did: whether a click was taken back, what happened to its weight update, and why it was kept.</summary>
public sealed record UndoOutcome(bool Undone, UndoWeights Weights, string? KeptBecause)
{
    public static readonly UndoOutcome Nothing = new(false, UndoWeights.NoUpdate, null);
}

/// <summary>
/// One user working on one 2D image inside a workspace (the user's story): clicks go in one at a time,
/// the learner's strategy may adapt the model after each, the mask comes back; undo takes back the last
/// click together with its weight update; commit accepts the mask and lets the strategy learn from it.
/// </summary>
public sealed class SliceInteraction : IDisposable
{
    readonly OnlineLearner _learner;
    readonly SliceSample _sample;
    readonly int _fieldOfViewSide;
    Predictor _predictor; // of the whole image, or of the field of view once the first click has set one
    readonly List<Click> _clicks = [];
    // Per click: the mask before it, and the model version before and after its adaptation steps.
    readonly Stack<(LabelMap? Mask, long VersionBefore, long VersionAfter)> _undo = new();

    /// <param name="seeds">Clicks the slice starts with (a propagated proposal's synthetic clicks): part of every
    /// prediction, so a correction refines the proposal; never taken back by undo.</param>
    /// <param name="mask">The mask shown before the first click (the proposal), if any.</param>
    /// <param name="fieldOfView">Side in native pixels of the window the first click centres the model's view on (0: the
    /// whole image; also when the image fits or the slice starts from seeds).</param>
    public SliceInteraction(OnlineLearner learner, SliceSample sample, IReadOnlyList<Click>? seeds = null, LabelMap? mask = null, int fieldOfView = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fieldOfView);
        _learner = learner;
        _sample = sample;
        _fieldOfViewSide = fieldOfView;
        _predictor = new Predictor(learner.Network, learner.Task, sample);
        _clicks.AddRange(seeds ?? []);
        Mask = mask;
    }

    public IReadOnlyList<Click> Clicks => _clicks;
    public LabelMap? Mask { get; private set; }
    public SliceSample Sample => _sample;

    /// <summary>The window the model works on, set by the first click; null while it sees the whole image.</summary>
    public FieldOfView? View { get; private set; }

    /// <summary>False for a later click outside the field of view the first click set: the model cannot see it.</summary>
    public bool CanTake(Click click) => View is null || _clicks.Count == 0 || View.Contains(click);

    // The clicks as the predictor sees them (in the field of view's pixels once one is set).
    List<Click> ModelClicks() => View is null ? _clicks.ToList() : _clicks.Select(View.Inside).ToList();

    // A prediction of the predictor as a mask of the whole image.
    LabelMap WholeImage(LabelMap predicted) => View is null ? predicted : View.Paste(predicted, _sample.Width, _sample.Height);

    public bool Committed { get; private set; }

    /// <summary>The click-free proposal (used for batch pre-labelling and as the first mask shown).</summary>
    public LabelMap Proposal() => Mask ??= WholeImage(_predictor.Predict([]));

    /// <summary>
    /// Mask first, learning after: the forward pass with the new click gives the first mask (handed to
    /// <paramref name="firstMask"/> at once), then the strategy adapts the model, then, when that changed the weights,
    /// a second forward pass gives the refined mask. Once the first mask exists the click stands: if the adaptation
    /// fails, the click keeps its first mask (undo takes it back) and the error goes to the caller.
    /// </summary>
    public ClickOutcome AddClick(Click click, Action<AdaptationStep>? report = null, Action<LabelMap>? firstMask = null)
    {
        if (Committed) throw new InvalidOperationException("This image was already committed; open a new session to change it.");
        if ((uint)click.X >= (uint)Sample.Width || (uint)click.Y >= (uint)Sample.Height)
            throw new ArgumentOutOfRangeException(nameof(click), $"Click ({click.X}, {click.Y}) lies outside the {Sample.Width}x{Sample.Height} image.");
        if ((uint)click.Class >= (uint)_learner.Task.Classes)
            throw new ArgumentOutOfRangeException(nameof(click), $"Class {click.Class} does not exist: the model knows {_learner.Task.Classes} classes ({string.Join(", ", _learner.Task.ClassNames)}).");
        if (!CanTake(click))
            throw new ArgumentOutOfRangeException(nameof(click), $"Click ({click.X}, {click.Y}) lies outside the field of view the first click set " +
                                                                 $"(x {View!.X}..{View.X + View.Width - 1}, y {View.Y}..{View.Y + View.Height - 1}).");
        // A first click (again, after undoing every click) centres the field of view.
        if (_clicks.Count == 0 && FieldOfView.Around(click, _fieldOfViewSide, _sample.Width, _sample.Height) is { } view)
        {
            _predictor.Dispose();
            _predictor = new Predictor(_learner.Network, _learner.Task, view.Crop(_sample));
            View = view;
        }

        long versionBefore = _learner.Version;
        var maskBefore = Mask;
        _clicks.Add(click);
        var clock = Stopwatch.StartNew();
        var modelClicks = ModelClicks();
        using var logits = _predictor.Logits(modelClicks);
        var first = WholeImage(_predictor.ToLabels(logits));
        double forward = clock.Elapsed.TotalMilliseconds;
        Mask = first;
        _undo.Push((maskBefore, versionBefore, versionBefore));
        firstMask?.Invoke(first);

        var steps = new List<AdaptationStep>();
        clock.Restart();
        try
        {
            _learner.Strategy.AfterClick(new ClickContext(_learner, _predictor, modelClicks, s => { steps.Add(s); report?.Invoke(s); }, logits));
        }
        finally
        {
            // Whatever the steps did to the weights belongs to this click, so that undo takes it back.
            _undo.Pop();
            _undo.Push((maskBefore, versionBefore, _learner.Version));
        }
        double adaptation = clock.Elapsed.TotalMilliseconds;
        bool refined = _learner.Version != versionBefore;
        if (refined)
        {
            clock.Restart();
            Mask = WholeImage(_predictor.Predict(modelClicks));
            forward += clock.Elapsed.TotalMilliseconds;
        }
        return new ClickOutcome(Mask, steps, adaptation, forward, first, refined);
    }

    /// <summary>
    /// Takes back the last click: always its mask; its weight update only while that update is still the workspace's
    /// latest change. Once anything else changed the model (another user's click or commit, a rollback), restoring the
    /// weights from before the click would wipe that change too, so the weights are kept and the outcome says why.
    /// </summary>
    public UndoOutcome Undo()
    {
        if (Committed || _clicks.Count == 0) return UndoOutcome.Nothing;
        var (mask, versionBefore, versionAfter) = _undo.Pop();
        _clicks.RemoveAt(_clicks.Count - 1);
        Mask = mask;
        if (versionAfter == versionBefore) return new UndoOutcome(true, UndoWeights.NoUpdate, null);
        if (_learner.Version != versionAfter)
            return new UndoOutcome(true, UndoWeights.Kept,
                $"the model changed since this click (version {versionAfter} -> {_learner.Version}); undoing its update would also undo that change");
        if (!_learner.CanRestore(versionBefore))
            return new UndoOutcome(true, UndoWeights.Kept, $"version {versionBefore} is no longer kept in memory");
        _learner.RestoreVersion(versionBefore, "undo");
        return new UndoOutcome(true, UndoWeights.Restored, null);
    }

    /// <summary>Accepts the mask (the current one unless the user edited it) and runs the strategy's post-interaction learning.</summary>
    public IReadOnlyList<AdaptationStep> Commit(LabelMap? finalMask = null, Action<AdaptationStep>? report = null)
    {
        if (Committed) throw new InvalidOperationException("This image was already committed.");
        var mask = finalMask ?? Mask ?? Proposal();
        if (mask.Width != Sample.Width || mask.Height != Sample.Height)
            throw new ArgumentException($"The final mask is {mask.Width}x{mask.Height} but the image is {Sample.Width}x{Sample.Height}.");
        var steps = new List<AdaptationStep>();
        _learner.Strategy.AfterImage(new ImageContext(_learner, _predictor, ModelClicks(), View?.Crop(mask) ?? mask, s => { steps.Add(s); report?.Invoke(s); }));
        Mask = mask;
        Committed = true;
        return steps;
    }

    public void Dispose() => _predictor.Dispose();
}
