namespace Oaims.Learning.Data;

/// <summary>
/// Holds out a fixed share of the training images to choose the checkpoint on, so the test split stays unseen
/// until the figures are reported. The same ids come out whatever order they go in and whatever the training
/// seed, so runs with different seeds are chosen on the same images. Fundus: one image = one patient.
/// </summary>
public static class ValidationHoldout
{
    const int Seed = 20131; // fixed on purpose: the holdout must not move with --seed

    /// <summary>Splits ids into (train, validation); validation gets round(fraction * count) ids, at least one each side.</summary>
    public static (IReadOnlyList<string> Train, IReadOnlyList<string> Validation) Split(IReadOnlyList<string> ids, double fraction)
    {
        if (!(fraction > 0 && fraction < 1)) throw new ArgumentException($"The validation fraction must lie between 0 and 1 (exclusive), got {fraction}.");
        var distinct = ids.Distinct().Order(StringComparer.Ordinal).ToArray();
        if (distinct.Length < 2) throw new ArgumentException($"Holding out validation images needs at least 2 training images, got {distinct.Length}.");
        new Random(Seed).Shuffle(distinct);
        int held = Math.Clamp((int)Math.Round(fraction * distinct.Length), 1, distinct.Length - 1);
        var validation = distinct.Take(held).Order(StringComparer.Ordinal).ToList();
        var train = distinct.Skip(held).Order(StringComparer.Ordinal).ToList();
        return (train, validation);
    }
}
