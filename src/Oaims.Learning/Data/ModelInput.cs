using Oaims.Interaction;
using static TorchSharp.torch;

namespace Oaims.Learning.Data;

/// <summary>Builds the network input: image channels followed by one Gaussian guidance map per class.</summary>
public static class ModelInput
{
    /// <summary>(C + classes, S, S) from a fitted (C, S, S) image and clicks already in model coordinates.</summary>
    public static Tensor Build(Tensor fittedImage, IReadOnlyList<Click> modelClicks, int classes)
    {
        int size = (int)fittedImage.shape[^1];
        var guidance = GuidanceMaps.Encode(modelClicks, classes, size, size);
        using var maps = tensor(guidance, [classes, size, size], device: fittedImage.device);
        return cat([fittedImage, maps], 0);
    }
}
