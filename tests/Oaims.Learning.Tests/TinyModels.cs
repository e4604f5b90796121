using Oaims.Imaging;
using Oaims.Interaction;
using Oaims.Learning.Checkpoints;
using Oaims.Learning.Data;
using Oaims.Learning.Network;

namespace Oaims.Learning.Tests;

/// <summary>Tiny networks, cards and phantom images that keep these tests fast on two cores.</summary>
public static class TinyModels
{
    public const int Size = 64;

    public static SegmentationTask Task => SegmentationTask.BrainLesion with { InputSize = Size };

    public static UNetConfig Config => new(1, 2, [4, 8], 16);

    public static ModelCard Card(UNetConfig config) => new()
    {
        Name = "tiny", Task = "brain-lesion", Architecture = ArchitectureCard.From(config), ClassNames = ["background", "lesion"],
        InputSize = Size, InputFit = nameof(InputFit.PadOrCrop), Normalisation = nameof(IntensityNormalisation.ZScoreForeground),
    };

    public static (InteractiveUNet Network, ModelCard Card) Create(int seed = 0)
    {
        TorchSharp.torch.manual_seed(seed);
        var network = new InteractiveUNet(Config);
        return (network, Card(Config));
    }

    /// <summary>A 2D phantom slice with its lesion label, normalised as the brain task does.</summary>
    public static SliceSample Phantom(int seed = 0)
    {
        var phantom = Oaims.Imaging.Phantom.Generate2D(Size, Size, seed);
        var channels = phantom.Image.Channels.Select(c => (float[])c.Clone()).ToArray();
        IntensityNormaliser.Apply(IntensityNormalisation.ZScoreForeground, channels);
        var labels = phantom.Label.Channels[0].Select(v => v > 0.5f ? 1 : 0).ToArray();
        return new SliceSample($"phantom{seed}", channels[0], 1, Size, Size, new LabelMap(Size, Size, labels));
    }
}
