namespace Oaims.Interaction;

/// <summary>
/// Where propagation clicks on the next slice: one synthetic click at the interior centre (the pixel farthest from the
/// boundary) of each foreground component of the previous slice's mask, labelled with that component's class.
/// </summary>
/// <remarks>
/// A tumour moves little from one slice to the next, so the deepest point of last slice's component is very likely
/// inside it on this one; a click there is what a user would place, so the network sees the kind of input it was
/// trained on (a mask as guidance it never saw). Components smaller than <see cref="MinimumArea"/> are specks the
/// model left, not structure: seeding them would carry noise along the volume.
/// </remarks>
public static class PropagationSeeds
{
    /// <summary>Pixels a component needs to be seeded, and a propagated mask needs to go on.</summary>
    public const int MinimumArea = 10;

    /// <summary>One click per foreground component of at least <paramref name="minimumArea"/> pixels, largest first.</summary>
    public static IReadOnlyList<Click> Of(LabelMap previous, int minimumArea = MinimumArea)
    {
        var components = SimulatedUser.ForegroundComponents(previous);
        return components.BySize().Where(c => c.Size >= minimumArea)
            .Select(c => { int index = SimulatedUser.Centre(components, c); return new Click(index % previous.Width, index / previous.Width, previous.Labels[index]); })
            .ToArray();
    }

    /// <summary>
    /// The prediction restricted to its components that hold a seed (all pixels of other components become background):
    /// what the model finds elsewhere on the slice is not the structure being followed.
    /// </summary>
    public static LabelMap KeepSeededComponents(LabelMap prediction, IReadOnlyList<Click> seeds)
    {
        var components = SimulatedUser.ForegroundComponents(prediction);
        var kept = seeds.Select(s => components.Ids[s.IndexIn(prediction.Width)]).Where(id => id > 0).ToHashSet();
        var labels = new int[prediction.Count];
        for (int i = 0; i < labels.Length; i++)
            if (kept.Contains(components.Ids[i])) labels[i] = prediction.Labels[i];
        return new LabelMap(prediction.Width, prediction.Height, labels);
    }

    /// <summary>Foreground pixels of a mask.</summary>
    public static int Area(LabelMap mask) => mask.Labels.Count(l => l != 0);
}
