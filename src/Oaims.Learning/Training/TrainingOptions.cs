using Oaims.Learning.Data;
using Oaims.Learning.Network;

namespace Oaims.Learning.Training;

/// <summary>Settings of one source-training run (defaults follow method.md, sized for a 2-core CPU).</summary>
public sealed record TrainingOptions
{
    public required SegmentationTask Task { get; init; }
    public UNetConfig? Architecture { get; init; }
    public int Steps { get; init; } = 2000;
    public int BatchSize { get; init; } = 8;
    public double LearningRate { get; init; } = 5e-4;
    /// <summary>Clicks per training sample are drawn from 0..MaxClicks; 0 trains the click-free proposal.</summary>
    public int MaxClicks { get; init; } = 10;
    public int Seed { get; init; } = 0;
    /// <summary>Stops early (keeping the best checkpoint) when the wall-clock budget runs out.</summary>
    public double MaxMinutes { get; init; } = 55;
    public int ValidateEvery { get; init; } = 200;
    public int SaveStateEvery { get; init; } = 50;
    /// <summary>
    /// A checkpoint folder whose weights the run starts from instead of a random initialisation (fine-tuning a shipped
    /// model on a lab's own labelled images); the optimizer starts fresh. A run that resumes from its saved state ignores it.
    /// </summary>
    public string? StartFrom { get; init; }
    /// <summary>Validation clicks per image; the best checkpoint maximises mean Dice over clicks 1..N.</summary>
    public int ValidationClicks { get; init; } = 5;

    public UNetConfig ResolvedArchitecture => Architecture ?? UNetConfig.Default(Task.ImageChannels, Task.Classes);

    public Augmentation Augmentation { get; init; } = Augmentation.Default;

    /// <summary>
    /// Share of the run used so far: the larger of the steps done and the wall-clock budget spent, so the
    /// schedule follows whichever of the two will actually end the run.
    /// </summary>
    public double ProgressAt(int step, double seconds) =>
        Math.Max((double)step / Steps, MaxMinutes > 0 ? seconds / (MaxMinutes * 60) : 0);

    /// <summary>Step schedule on the run's progress: full rate, then x0.3 after 70% and x0.1 after 90%.</summary>
    public double LearningRateAt(int step, double seconds)
    {
        double progress = ProgressAt(step, seconds);
        return progress < 0.7 ? LearningRate : progress < 0.9 ? LearningRate * 0.3 : LearningRate * 0.1;
    }
}

/// <summary>What a training run reports as it goes (the CLI renders it).</summary>
public sealed record TrainingProgress(int Step, int Steps, double Loss, double Seconds, double? ValidationScore, double BestScore, int BestStep, string? Message = null);
