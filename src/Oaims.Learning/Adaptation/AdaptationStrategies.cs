using Oaims.Learning.Adaptation.Strategies;

namespace Oaims.Learning.Adaptation;

/// <summary>The strategies by name: none, mi, pi, pi+mi (the method) and the baselines ia-sa, tsca, tent.</summary>
public static class AdaptationStrategies
{
    public static IReadOnlyList<string> Names { get; } = ["none", "mi", "pi", "pi+mi", "ia-sa", "tsca", "tent"];

    /// <summary>The method's strategies (MI, PI and both), whose open choices <see cref="AdaptationSettings"/> holds.</summary>
    public static bool IsMethod(string name) => name.ToLowerInvariant() is "mi" or "pi" or "pi+mi";

    public static IAdaptationStrategy Create(string name) => name.ToLowerInvariant() switch
    {
        "none" => new NoAdaptation(),
        "mi" => new MidInteractionAdaptation(),
        "pi" => new PostInteractionAdaptation(),
        "pi+mi" or "mi+pi" => new CombinedAdaptation("pi+mi", new MidInteractionAdaptation(), new PostInteractionAdaptation()),
        "ia-sa" => new SparseClickAdaptation(),
        "tsca" => new TeacherStudentAdaptation(),
        "tent" => new EntropyMinimisation(),
        _ => throw new ArgumentException($"Unknown adaptation strategy '{name}': use one of {string.Join(", ", Names)}."),
    };

    /// <summary>Learning rate used when none is given: the method's per-task rate for ours, the tuned rate for baselines
    /// (docs/results.md says how they were tuned).</summary>
    public static double DefaultLearningRate(string name, Data.SegmentationTask task) => name.ToLowerInvariant() switch
    {
        "ia-sa" => task.AdaptationLearningRate * BaselineRates.SparseClickFactor,
        "tsca" => task.AdaptationLearningRate * BaselineRates.TeacherStudentFactor,
        "tent" => task.AdaptationLearningRate * BaselineRates.EntropyFactor,
        _ => task.AdaptationLearningRate,
    };
}

/// <summary>
/// Baseline learning rates relative to the task's rate, as chosen by the tuning section of docs/results.md
/// (brain T1c tuning stream, `oaims experiments --sections tune`). Our strategies keep the method's rate as the
/// default; a workspace can be created with any rate.
/// </summary>
public static class BaselineRates
{
    public const double SparseClickFactor = 1.0;
    public const double TeacherStudentFactor = 0.3;
    public const double EntropyFactor = 0.03;
}
