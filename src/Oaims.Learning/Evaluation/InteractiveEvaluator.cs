using System.Diagnostics;
using Oaims.Interaction;
using Oaims.Learning.Data;
using Oaims.Learning.Inference;
using Oaims.Learning.Network;

namespace Oaims.Learning.Evaluation;

/// <summary>The outcome of one image played with the simulated user.</summary>
/// <param name="DicePerClick">After click t (index t-1): Dice per structure of the task, of the mask the click leaves (the refined one when
/// the click's adaptation changed the weights); the simulated user places the next click on this mask.</param>
/// <param name="FirstMaskDicePerClick">The same for each click's first mask (the forward pass with the click, before its adaptation);
/// null where the two cannot differ (a frozen model).</param>
public sealed record ImageResult(string Id, IReadOnlyList<double[]> DicePerClick, IReadOnlyList<Click> Clicks, double Seconds,
                                 IReadOnlyList<double[]>? FirstMaskDicePerClick = null);

/// <summary>The masks one click produced: the one it leaves (scored, and shown to the simulated user) and its first mask, when different in kind.</summary>
public readonly record struct ClickMasks(LabelMap Left, LabelMap? First);

/// <summary>Plays the method's evaluation protocol: a simulated user clicks N times per image, Dice after every click.</summary>
public static class InteractiveEvaluator
{
    /// <summary>The frozen model (no adaptation) on every image.</summary>
    public static List<ImageResult> Frozen(InteractiveUNet network, SegmentationTask task, IReadOnlyList<SliceSample> samples, int clicks)
    {
        var results = new List<ImageResult>();
        foreach (var sample in samples)
        {
            using var predictor = new Predictor(network, task, sample);
            var placed = new List<Click>();
            results.Add(Play(sample, task.Structures, clicks, click => { placed.Add(click); return predictor.Predict(placed); }));
        }
        return results;
    }

    /// <summary>One image: first click at the centre of the largest true component, each next click in the
    /// largest error region; <paramref name="addClick"/> takes the next click and returns the new mask.</summary>
    public static ImageResult Play(SliceSample sample, IReadOnlyList<Structure> structures, int clicks, Func<Click, LabelMap> addClick) =>
        Play(sample, structures, clicks, click => new ClickMasks(addClick(click), null));

    /// <summary>As above, scoring each click's first mask too when <paramref name="addClick"/> gives one.</summary>
    public static ImageResult Play(SliceSample sample, IReadOnlyList<Structure> structures, int clicks, Func<Click, ClickMasks> addClick)
    {
        var truth = sample.Truth ?? throw new ArgumentException($"{sample.Id} has no ground truth to simulate a user with.");
        var clock = Stopwatch.StartNew();
        var placed = new List<Click>();
        var curve = new List<double[]>();
        var firstCurve = new List<double[]>();
        bool firstGiven = false;
        LabelMap? prediction = null;
        for (int t = 1; t <= clicks; t++)
        {
            var click = prediction is null ? SimulatedUser.FirstClick(truth) : SimulatedUser.NextClick(truth, prediction);
            if (click is null && prediction is not null) { curve.Add(curve[^1]); firstCurve.Add(curve[^1]); continue; } // nothing left to fix
            if (click is not { } c)
            {
                curve.Add(Dice.PerStructure(truth, new LabelMap(truth.Width, truth.Height), structures)); // empty truth
                firstCurve.Add(curve[^1]);
                continue;
            }
            placed.Add(c);
            var masks = addClick(c);
            prediction = masks.Left;
            curve.Add(Dice.PerStructure(truth, prediction, structures));
            firstGiven |= masks.First is not null;
            firstCurve.Add(masks.First is { } first ? Dice.PerStructure(truth, first, structures) : curve[^1]);
        }
        return new ImageResult(sample.Id, curve, placed, clock.Elapsed.TotalSeconds, firstGiven ? firstCurve : null);
    }
}
