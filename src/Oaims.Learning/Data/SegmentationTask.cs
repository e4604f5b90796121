using Oaims.Interaction;

namespace Oaims.Learning.Data;

/// <summary>How a slice is brought to the model's square input: padded/cropped around the centre, or resized.</summary>
public enum InputFit { PadOrCrop, Resize }

/// <summary>How image intensities are normalised before they reach the network.</summary>
public enum IntensityNormalisation
{
    /// <summary>Z-score over the voxels brighter than the volume's minimum (the MRI foreground), per image.</summary>
    ZScoreForeground,
    /// <summary>8-bit RGB mapped to [-1, 1]: (x - 127.5) / 127.5.</summary>
    Rgb127,
}

/// <summary>
/// What one kind of segmentation needs: classes, the structures scored, the model input, the
/// normalisation and the method's per-task adaptation learning rate.
/// </summary>
public sealed record SegmentationTask(
    string Name,
    int ImageChannels,
    string[] ClassNames,
    Structure[] Structures,
    int InputSize,
    InputFit Fit,
    IntensityNormalisation Normalisation,
    double AdaptationLearningRate)
{
    public int Classes => ClassNames.Length;

    /// <summary>Brain lesion on MRI: 1 channel, background/lesion, 256x256 (240x240 BraTS slices are padded).</summary>
    public static readonly SegmentationTask BrainLesion = new(
        "brain-lesion", 1, ["background", "lesion"], [.. Oaims.Interaction.Structures.Brain],
        256, InputFit.PadOrCrop, IntensityNormalisation.ZScoreForeground, 5e-5);

    /// <summary>Optic disc and cup on fundus photographs: RGB, background/rim/cup; disc = rim + cup.</summary>
    public static readonly SegmentationTask FundusOdoc = new(
        "fundus-odoc", 3, ["background", "rim", "cup"], [.. Oaims.Interaction.Structures.Fundus],
        256, InputFit.Resize, IntensityNormalisation.Rgb127, 1e-4);

    public static IReadOnlyList<SegmentationTask> All { get; } = [BrainLesion, FundusOdoc];

    public static SegmentationTask ByName(string name) =>
        All.FirstOrDefault(t => t.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown task '{name}': use {string.Join(" or ", All.Select(t => t.Name))}.");
}
