using Oaims.Interaction;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Oaims.Learning.Losses;

/// <summary>
/// The Click-Centred Gaussian (CCG) loss: cross-entropy weighted by a Gaussian window around each click,
/// counting only pixels whose (pseudo-)label equals the click's class, summed over clicks and divided by
/// (number of clicks x H x W); samples without clicks contribute zero. Averaged over the batch.
/// </summary>
public static class ClickCentredGaussianLoss
{
    /// <summary>The weight of CCG against DiceFocal in the method's total loss.</summary>
    public const double Weight = 200.0;
    static readonly TorchSharp.Scalar HeldWeight = Weight; // held: see Oaims.Analyzers' OAIMS001

    /// <summary><see cref="Weight"/> x <see cref="Compute"/>: the CCG term of the method's total loss.</summary>
    public static Tensor Weighted(Tensor logits, Tensor target, IReadOnlyList<IReadOnlyList<Click>> clicks)
    {
        using var scope = NewDisposeScope();
        return Compute(logits, target, clicks).mul(HeldWeight).MoveToOuterDisposeScope();
    }

    /// <param name="logits">(N, C, H, W) raw outputs.</param>
    /// <param name="target">(N, H, W) int64 labels: the class mask I_c is taken from these.</param>
    /// <param name="clicks">Clicks of each sample, in that sample's pixel coordinates.</param>
    public static Tensor Compute(Tensor logits, Tensor target, IReadOnlyList<IReadOnlyList<Click>> clicks)
    {
        using var scope = NewDisposeScope();
        var weights = WeightMap(target, clicks).to(logits.device);
        var crossEntropy = F.cross_entropy(logits, target, reduction: nn.Reduction.None);
        var perSample = (weights * crossEntropy).sum([1, 2]);
        return perSample.mean().MoveToOuterDisposeScope();
    }

    /// <summary>(N, H, W) float weights: sum over clicks of G_c * I_c, already divided by |C| H W.</summary>
    public static Tensor WeightMap(Tensor target, IReadOnlyList<IReadOnlyList<Click>> clicks)
    {
        int n = (int)target.shape[0], height = (int)target.shape[1], width = (int)target.shape[2];
        if (clicks.Count != n) throw new ArgumentException($"Got clicks for {clicks.Count} samples but the batch holds {n}.");
        long[] labels;
        using (var host = target.cpu().to_type(ScalarType.Int64)) labels = host.data<long>().ToArray();
        var map = new float[n * height * width];
        for (int s = 0; s < n; s++)
        {
            if (clicks[s].Count == 0) continue;
            int offset = s * height * width;
            float norm = 1f / (clicks[s].Count * (float)height * width);
            foreach (var click in clicks[s])
                foreach (var pixel in ClickCentredGaussian.Weights(click, width, height))
                    if (labels[offset + pixel.Index] == click.Class)
                        map[offset + pixel.Index] += pixel.Weight * norm;
        }
        return tensor(map, [n, height, width], device: target.device);
    }
}
