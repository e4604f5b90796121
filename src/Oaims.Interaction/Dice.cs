namespace Oaims.Interaction;

/// <summary>Dice overlap of a structure between truth and prediction, 2|T∩P| / (|T| + |P|), taken as 1 when both are empty.</summary>
public static class Dice
{
    /// <summary>Dice of one structure on two label arrays of the same shape (2D slices or whole volumes).</summary>
    public static double Of(ReadOnlySpan<int> truth, ReadOnlySpan<int> prediction, Structure structure)
    {
        if (truth.Length != prediction.Length)
            throw new ArgumentException($"Truth has {truth.Length} labels, prediction {prediction.Length}.", nameof(prediction));
        long both = 0, inTruth = 0, inPrediction = 0;
        for (int i = 0; i < truth.Length; i++)
        {
            bool t = structure.Contains(truth[i]), p = structure.Contains(prediction[i]);
            if (t) inTruth++;
            if (p) inPrediction++;
            if (t && p) both++;
        }
        // An absent structure predicted absent is a perfect answer, not 0/0.
        return inTruth + inPrediction == 0 ? 1.0 : 2.0 * both / (inTruth + inPrediction);
    }

    /// <summary>Dice of one structure on two label maps.</summary>
    public static double Of(LabelMap truth, LabelMap prediction, Structure structure)
    {
        truth.EnsureSameSize(prediction, nameof(prediction));
        return Of(truth.Labels, prediction.Labels, structure);
    }

    /// <summary>Dice of each structure, in the order given.</summary>
    public static double[] PerStructure(LabelMap truth, LabelMap prediction, IReadOnlyList<Structure> structures) =>
        structures.Select(s => Of(truth, prediction, s)).ToArray();
}
