using System.Diagnostics;
using Oaims.Imaging;
using Oaims.Interaction;
using Oaims.Learning.Adaptation;
using Oaims.Learning.Sessions;

namespace Oaims.Learning.Evaluation;

/// <summary>One volume under the volume protocol: 3D Dice after each click, the slice each click went to, and the time.</summary>
public sealed record VolumeResult(string Id, IReadOnlyList<double> DicePerClick, IReadOnlyList<int> ClickedSlices, int ProposedSlices, double Seconds);

/// <summary>
/// The volume protocol (`oaims eval --protocol volume`): the simulated user clicks the centre of the structure on the
/// slice where it is largest and the system propagates from there; each further click goes to the largest 3D error
/// region, on the slice holding most of it, and the system propagates again from that slice. Without propagation the
/// same clicks are spent slice by slice (the slice protocol's cost on a volume). Slices run along axis 2. At the end the
/// volume is committed, so an adapting strategy learns from it for the next volume.
/// </summary>
public static class VolumeProtocol
{
    const int Axis = 2;

    /// <param name="truth">The true label of every voxel (0 = background), x fastest like the image.</param>
    /// <param name="seeding">How propagation seeds each slice; null: no propagation (slice by slice).</param>
    public static VolumeResult Run(OnlineLearner learner, string id, Volume image, byte[] truth, int clicks, PropagationSeeding? seeding)
    {
        var clock = Stopwatch.StartNew();
        var shape = new VolumeShape(image.Dims[0], image.Dims[1], image.Dims[2]);
        using var session = new VolumeSession(learner, image);
        var dice = new List<double>();
        var slices = new List<int>();
        int proposed = 0;
        for (int t = 0; t < clicks; t++)
        {
            var click = t == 0 ? FirstClick(truth, shape) : NextClick(truth, session.Labels, shape);
            if (click is not { } c) break; // nothing to find, or nothing left to correct
            var outcome = session.AddClick(c);
            if (seeding is not null && PropagationSeeds.Area(SliceOf(session.Labels, shape, outcome.Slice)) >= PropagationSeeds.MinimumArea)
                proposed += session.Propagate(Axis, outcome.Slice, seeding).Proposed.Count;
            dice.Add(Dice3D(truth, session.Labels));
            slices.Add(outcome.Slice);
        }
        if (session.ClickCount > 0) session.Commit();
        return new VolumeResult(id, dice, slices, proposed, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The first click: the centre of the largest true component on the slice with the most structure; null for a volume without any.</summary>
    public static VolumeClick? FirstClick(byte[] truth, VolumeShape shape)
    {
        int best = -1, bestArea = 0;
        for (int z = 0; z < shape.Depth; z++)
        {
            int area = SliceOf(truth, shape, z).Labels.Count(l => l != 0);
            if (area > bestArea) (best, bestArea) = (z, area);
        }
        if (best < 0) return null;
        return SimulatedUser.FirstClick(SliceOf(truth, shape, best)) is { } click ? new VolumeClick(Axis, click.X, click.Y, best, click.Class) : null;
    }

    /// <summary>A correction: the centre, on its fullest slice, of the largest 3D error region's part there; null when the labels are right.</summary>
    public static VolumeClick? NextClick(byte[] truth, byte[] labels, VolumeShape shape)
    {
        var region = VolumeErrors.LargestRegion(truth, labels, shape);
        if (region.Count == 0) return null;
        int z = VolumeErrors.FullestSlice(region, shape);
        var truthSlice = SliceOf(truth, shape, z);
        // Only this region's errors count on the slice: the labels as the truth elsewhere, as they are inside the region.
        var judged = truthSlice.Clone();
        int plane = shape.Width * shape.Height;
        foreach (int v in region)
            if (v / plane == z) judged.Labels[v % plane] = labels[v];
        return SimulatedUser.NextClick(truthSlice, judged) is { } click ? new VolumeClick(Axis, click.X, click.Y, z, click.Class) : null;
    }

    /// <summary>3D Dice of the foreground (any label above 0); 1 when both are empty.</summary>
    public static double Dice3D(byte[] truth, byte[] labels)
    {
        long both = 0, inTruth = 0, inLabels = 0;
        for (int v = 0; v < truth.Length; v++)
        {
            bool t = truth[v] != 0, p = labels[v] != 0;
            if (t) inTruth++;
            if (p) inLabels++;
            if (t && p) both++;
        }
        return inTruth + inLabels == 0 ? 1 : 2.0 * both / (inTruth + inLabels);
    }

    static LabelMap SliceOf(byte[] volume, VolumeShape shape, int z) =>
        LabelMap.FromBytes(shape.Width, shape.Height, volume.AsSpan(z * shape.Width * shape.Height, shape.Width * shape.Height));
}
