using System.Text.Json;
using System.Text.Json.Serialization;
using Oaims.Learning.Data;
using Oaims.Learning.Network;

namespace Oaims.Learning.Checkpoints;

/// <summary>The JSON card shipped beside a checkpoint's weights: what the model is, how it was trained, how well it does.</summary>
public sealed record ModelCard
{
    public const string CurrentFormat = "oaims-checkpoint/1";

    public string Format { get; init; } = CurrentFormat;
    public required string Name { get; init; }
    public required string Task { get; init; }
    public required ArchitectureCard Architecture { get; init; }
    public required string[] ClassNames { get; init; }
    public required int InputSize { get; init; }
    public required string InputFit { get; init; }
    public required string Normalisation { get; init; }
    public TrainingCard? Training { get; init; }
    /// <summary>Where the weights came from when `oaims train` did not make them: a PyTorch import or an online adaptation.</summary>
    public OriginCard? Origin { get; init; }
    /// <summary>Named figures, e.g. "validation.lesion.dice_at.5" -> 0.83.</summary>
    public Dictionary<string, double> Metrics { get; init; } = new();
    public string? DataLicence { get; init; }
    /// <summary>SHA-256 of the weights file, so a card never describes other weights than its own.</summary>
    public string? WeightsSha256 { get; init; }
    public DateTimeOffset Created { get; init; } = DateTimeOffset.UtcNow;

    public UNetConfig ToConfig() => new(Architecture.ImageChannels, ClassNames.Length, Architecture.EncoderWidths, Architecture.BottleneckWidth);

    public SegmentationTask ToTask() => SegmentationTask.ByName(Task) with { InputSize = InputSize };

    /// <summary>A card for a network of the given shape doing a task, with the task's input conventions.</summary>
    public static ModelCard For(SegmentationTask task, UNetConfig config, string name) => new()
    {
        Name = name, Task = task.Name, Architecture = ArchitectureCard.From(config), ClassNames = task.ClassNames,
        InputSize = task.InputSize, InputFit = task.Fit.ToString(), Normalisation = task.Normalisation.ToString(),
    };

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <summary>The network's shape as recorded in a card.</summary>
public sealed record ArchitectureCard(string Kind, int ImageChannels, int[] EncoderWidths, int BottleneckWidth)
{
    public static ArchitectureCard From(UNetConfig config) => new("unet2d-instancenorm", config.ImageChannels, config.EncoderWidths, config.BottleneckWidth);
}

/// <summary>Provenance of a trained checkpoint.</summary>
public sealed record TrainingCard
{
    public required string Data { get; init; }
    public string? Modality { get; init; }
    public string[] TrainCases { get; init; } = [];
    public string[] ValidationCases { get; init; } = [];
    public int TrainImages { get; init; }
    public int ValidationImages { get; init; }
    public required string Command { get; init; }
    public string? Commit { get; init; }
    /// <summary>The checkpoint the run started from (`oaims train --init-from`), and the SHA-256 of its weights; null for a random start.</summary>
    public string? StartedFrom { get; init; }
    public string? StartedFromSha256 { get; init; }
    public int Steps { get; init; }
    public int BestStep { get; init; }
    public double Seconds { get; init; }
    public int Seed { get; init; }
    public int BatchSize { get; init; }
    public double LearningRate { get; init; }
}

/// <summary>Where a checkpoint's weights came from when not from source training: imported from a PyTorch state dict, or adapted online from another model.</summary>
public sealed record OriginCard
{
    public const string PyTorchImport = "pytorch-state-dict";
    public const string OnlineAdaptation = "online-adaptation";

    /// <summary><see cref="PyTorchImport"/> or <see cref="OnlineAdaptation"/>.</summary>
    public required string Kind { get; init; }
    /// <summary>The state dict file, or the model the adaptation started from.</summary>
    public required string Source { get; init; }
    /// <summary>SHA-256 of the state dict file, or of the source model's weights.</summary>
    public string? SourceSha256 { get; init; }
    public required string Command { get; init; }
    public string? Commit { get; init; }
    public string? Strategy { get; init; }
    public double? LearningRate { get; init; }
    /// <summary>The images the model adapted on, in the words of the command (data folder, selection, order).</summary>
    public string? Stream { get; init; }
    public int? Images { get; init; }
    public long? Version { get; init; }
}
