namespace Oaims.Interaction;

/// <summary>The paper's table row for one structure: mean Dice after k clicks and mean NoC at Dice thresholds, over images.</summary>
/// <remarks>
/// A curve shorter than k clicks means the user stopped early because the mask was already right, so its last Dice
/// stands for the missing clicks.
/// </remarks>
public sealed record CurveSummary(int Images, IReadOnlyDictionary<int, double> MeanDiceAt, IReadOnlyDictionary<double, double> MeanNoCAt)
{
    public static IReadOnlyList<int> DefaultClicks { get; } = [1, 5, 10];
    public static IReadOnlyList<double> DefaultThresholds { get; } = [0.80, 0.85, 0.90];

    /// <summary>Summarises Dice-per-click curves of one structure (curves[image][click - 1]) under a budget of <paramref name="maxClicks"/>.</summary>
    public static CurveSummary Of(IReadOnlyList<IReadOnlyList<double>> curves, int maxClicks = 10,
        IReadOnlyList<int>? diceAt = null, IReadOnlyList<double>? thresholds = null)
    {
        if (curves.Count == 0) throw new ArgumentException("At least one image is needed.", nameof(curves));
        if (curves.Any(c => c.Count == 0)) throw new ArgumentException("Every image needs the Dice of at least one click.", nameof(curves));

        var dice = new Dictionary<int, double>();
        foreach (int k in diceAt ?? DefaultClicks)
        {
            if (k < 1) throw new ArgumentOutOfRangeException(nameof(diceAt), $"Click counts are 1-based, got {k}.");
            dice[k] = curves.Average(c => c[Math.Min(k, c.Count) - 1]);
        }

        var noc = new Dictionary<double, double>();
        foreach (double t in thresholds ?? DefaultThresholds)
            noc[t] = curves.Average(c => NoC.Of(c, t, maxClicks));

        return new CurveSummary(curves.Count, dice, noc);
    }

    /// <summary>
    /// Summarises curves recorded with <see cref="Dice.PerStructure"/>: curves[image][click - 1][structure], one summary per structure name.
    /// </summary>
    public static IReadOnlyDictionary<string, CurveSummary> PerStructure(IReadOnlyList<IReadOnlyList<double[]>> curves,
        IReadOnlyList<Structure> structures, int maxClicks = 10, IReadOnlyList<int>? diceAt = null, IReadOnlyList<double>? thresholds = null)
    {
        var summaries = new Dictionary<string, CurveSummary>();
        for (int s = 0; s < structures.Count; s++)
        {
            int structure = s;
            var ofStructure = curves.Select(c => (IReadOnlyList<double>)c.Select(perClick => perClick[structure]).ToArray()).ToArray();
            summaries[structures[s].Name] = Of(ofStructure, maxClicks, diceAt, thresholds);
        }
        return summaries;
    }
}
