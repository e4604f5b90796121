namespace Oaims.Interaction;

/// <summary>Number of clicks (NoC): how many clicks a Dice-per-click curve needs to reach a threshold.</summary>
public static class NoC
{
    /// <summary>
    /// The 1-based number of the first click whose Dice is at least <paramref name="threshold"/> (a fraction, e.g. 0.85),
    /// looking at no more than <paramref name="maxClicks"/> clicks (default: the whole curve); maxClicks + 1 when never reached,
    /// so 11 for a 10-click budget.
    /// </summary>
    public static int Of(IReadOnlyList<double> dicePerClick, double threshold, int? maxClicks = null)
    {
        int budget = maxClicks ?? dicePerClick.Count;
        ArgumentOutOfRangeException.ThrowIfNegative(budget);
        int seen = Math.Min(budget, dicePerClick.Count);
        for (int k = 0; k < seen; k++)
            if (dicePerClick[k] >= threshold) return k + 1;
        return budget + 1;
    }
}
