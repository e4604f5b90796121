namespace Oaims.Interaction;

/// <summary>The simulated annotator of the evaluation protocol, also used for training clicks and synthetic PI corrections: given the truth and the current prediction, where the next click goes.</summary>
/// <remarks>
/// Regions are 8-connected. An error region is a connected set of pixels that share one (true, predicted) class pair,
/// so a missed cup next to a rim mistaken for background are two regions. A click is labelled with the true class at
/// its pixel: inside missed foreground it is positive, inside a false positive (true class 0) it is negative.
/// Everything is deterministic: ties go to the lowest row-major index, and the sampling variants draw only from the given Random.
/// </remarks>
public static class SimulatedUser
{
    /// <summary>The first click: the point farthest from the boundary of the largest ground-truth foreground component, or null when there is no foreground.</summary>
    public static Click? FirstClick(LabelMap truth)
    {
        var components = ForegroundComponents(truth);
        return components.Largest() is Component largest ? ClickAt(truth, Centre(components, largest)) : null;
    }

    /// <summary>The next correction: the centre of the largest error region, labelled with the true class there, or null when the prediction is perfect.</summary>
    public static Click? NextClick(LabelMap truth, LabelMap prediction)
    {
        var regions = ErrorRegions(truth, prediction);
        return regions.Largest() is Component largest ? ClickAt(truth, Centre(regions, largest)) : null;
    }

    /// <summary>Synthetic corrections (PI stage 2): one click at the centre of each error region, largest first, at most <paramref name="maxClicks"/>.</summary>
    public static IReadOnlyList<Click> CorrectionClicks(LabelMap truth, LabelMap prediction, int maxClicks)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxClicks);
        var regions = ErrorRegions(truth, prediction);
        return regions.BySize().Take(maxClicks).Select(r => ClickAt(truth, Centre(regions, r))).ToArray();
    }

    /// <summary>A training first click: a random interior pixel of the largest ground-truth foreground component, or null when there is no foreground.</summary>
    public static Click? SampleFirstClick(LabelMap truth, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var components = ForegroundComponents(truth);
        return components.Largest() is Component largest ? ClickAt(truth, SampleInterior(components, largest, rng)) : null;
    }

    /// <summary>Training corrections: one random interior click in each error region, largest first, at most <paramref name="maxClicks"/>.</summary>
    public static IReadOnlyList<Click> SampleCorrectionClicks(LabelMap truth, LabelMap prediction, int maxClicks, Random rng)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxClicks);
        ArgumentNullException.ThrowIfNull(rng);
        var regions = ErrorRegions(truth, prediction);
        return regions.BySize().Take(maxClicks).Select(r => ClickAt(truth, SampleInterior(regions, r, rng))).ToArray();
    }

    /// <summary>The 8-connected components of each foreground class of the truth (a component never mixes classes).</summary>
    public static ComponentMap ForegroundComponents(LabelMap truth)
    {
        var keys = new int[truth.Count];
        for (int i = 0; i < keys.Length; i++)
        {
            int label = truth.Labels[i];
            if (label < 0) throw new ArgumentException($"Label {label} at pixel {i} is negative.", nameof(truth));
            keys[i] = label == 0 ? -1 : label;
        }
        return ConnectedComponents.FindRegions(keys, truth.Width, truth.Height, Connectivity.Eight);
    }

    /// <summary>The 8-connected error regions: pixels where truth == a and prediction == b for a pair a != b, one pair per region.</summary>
    public static ComponentMap ErrorRegions(LabelMap truth, LabelMap prediction)
    {
        truth.EnsureSameSize(prediction, nameof(prediction));
        int classes = 1;
        foreach (var map in new[] { truth, prediction })
            foreach (int label in map.Labels)
            {
                if (label < 0) throw new ArgumentException($"Label {label} is negative.", nameof(truth));
                classes = Math.Max(classes, label + 1);
            }

        var keys = new int[truth.Count];
        for (int i = 0; i < keys.Length; i++)
        {
            int t = truth.Labels[i], p = prediction.Labels[i];
            keys[i] = t == p ? -1 : checked(t * classes + p);
        }
        return ConnectedComponents.FindRegions(keys, truth.Width, truth.Height, Connectivity.Eight);
    }

    private static Click ClickAt(LabelMap truth, int index) =>
        new(index % truth.Width, index / truth.Width, truth.Labels[index]);

    // The pixel farthest from the region's boundary, counting every pixel outside the region (and beyond the image)
    // as boundary. The distance transform runs on the region's bounding box only, which gives the same distances
    // because nothing of the region lies outside its box.
    internal static int Centre(ComponentMap map, Component region)
    {
        var distance = DistanceInBox(map, region);
        int best = 0;
        for (int i = 1; i < distance.Length; i++)
            if (distance[i] > distance[best]) best = i;
        return ToImageIndex(map, region, best);
    }

    // Interior = at least half the largest distance, so sampled clicks stay off thin borders where a real user would not click.
    private static int SampleInterior(ComponentMap map, Component region, Random rng)
    {
        var squared = DistanceInBox(map, region);
        int maxSquared = squared.Max();
        var interior = new List<int>();
        for (int i = 0; i < squared.Length; i++)
            if (4L * squared[i] >= maxSquared && squared[i] > 0) interior.Add(i);
        return ToImageIndex(map, region, interior[rng.Next(interior.Count)]);
    }

    private static int[] DistanceInBox(ComponentMap map, Component region) =>
        DistanceTransform.Squared(map.MaskInBox(region), region.BoxWidth, region.BoxHeight, imageEdgeIsOutside: true);

    private static int ToImageIndex(ComponentMap map, Component region, int boxIndex) =>
        region.MinX + boxIndex % region.BoxWidth + map.Width * (region.MinY + boxIndex / region.BoxWidth);
}
