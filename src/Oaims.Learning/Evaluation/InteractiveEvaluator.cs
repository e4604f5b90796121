using System.Diagnostics;
using Oaims.Interaction;
using Oaims.Learning.Data;
using Oaims.Learning.Inference;
using Oaims.Learning.Network;

namespace Oaims.Learning.Evaluation;

/// <summary>The outcome of one image played with the simulated user.</summary>
/// <param name="DicePerClick">After click t (index t-1): Dice per structure of the task.</param>
public sealed record ImageResult(string Id, IReadOnlyList<double[]> DicePerClick, IReadOnlyList<Click> Clicks, double Seconds);

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
    public static ImageResult Play(SliceSample sample, IReadOnlyList<Structure> structures, int clicks, Func<Click, LabelMap> addClick)
    {
        var truth = sample.Truth ?? throw new ArgumentException($"{sample.Id} has no ground truth to simulate a user with.");
        var clock = Stopwatch.StartNew();
        var placed = new List<Click>();
        var curve = new List<double[]>();
        LabelMap? prediction = null;
        for (int t = 1; t <= clicks; t++)
        {
            var click = prediction is null ? SimulatedUser.FirstClick(truth) : SimulatedUser.NextClick(truth, prediction);
            if (click is null && prediction is not null) { curve.Add(curve[^1]); continue; } // nothing left to fix
            if (click is not { } c) { curve.Add(Dice.PerStructure(truth, new LabelMap(truth.Width, truth.Height), structures)); continue; } // empty truth
            placed.Add(c);
            prediction = addClick(c);
            curve.Add(Dice.PerStructure(truth, prediction, structures));
        }
        return new ImageResult(sample.Id, curve, placed, clock.Elapsed.TotalSeconds);
    }
}
