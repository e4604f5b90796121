using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;
using Scalar = TorchSharp.Scalar;

namespace Oaims.Learning.Losses;

/// <summary>
/// The method's region loss: 0.7 * Focal(gamma 2) + 0.3 * soft Dice, Dice over the foreground classes only
/// (MONAI DiceLoss with softmax, one-hot targets, include_background=False, smoothing 1e-5).
/// </summary>
public static class DiceFocalLoss
{
    public const double FocalWeight = 0.7;
    public const double Gamma = 2.0;
    const double Smooth = 1e-5;
    // Held for the process's life: a Scalar converted for one call can be finalized while LibTorch still reads it
    // (Oaims.Analyzers' OAIMS001 refuses such temporaries).
    static readonly Scalar One = 1.0, Two = 2.0, GammaExponent = Gamma, HeldSmooth = Smooth, HeldFocalWeight = FocalWeight, DiceWeight = 1 - FocalWeight;

    /// <param name="logits">(N, C, H, W) raw network outputs.</param>
    /// <param name="target">(N, H, W) int64 class indices (ground truth or a pseudo-label).</param>
    public static Tensor Compute(Tensor logits, Tensor target)
    {
        using var scope = NewDisposeScope();
        var loss = Focal(logits, target).mul(HeldFocalWeight) + Dice(logits, target).mul(DiceWeight);
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>Mean over pixels of -(1 - p_t)^gamma * log p_t, p_t the probability of the target class.</summary>
    public static Tensor Focal(Tensor logits, Tensor target)
    {
        using var scope = NewDisposeScope();
        var logPt = F.log_softmax(logits, 1).gather(1, target.unsqueeze(1)).squeeze(1);
        var pt = logPt.exp();
        return (-pt.neg().add_(One).pow(GammaExponent) * logPt).mean().MoveToOuterDisposeScope();
    }

    /// <summary>1 - soft Dice per sample and foreground class, averaged.</summary>
    public static Tensor Dice(Tensor logits, Tensor target)
    {
        using var scope = NewDisposeScope();
        long classes = logits.shape[1];
        var probabilities = F.softmax(logits, 1).narrow(1, 1, classes - 1);
        var oneHot = F.one_hot(target, classes).permute(0, 3, 1, 2).to_type(probabilities.dtype).narrow(1, 1, classes - 1);
        long[] spatial = [2, 3];
        var intersection = (probabilities * oneHot).sum(spatial);
        var denominator = probabilities.sum(spatial) + oneHot.sum(spatial);
        var dice = intersection.mul(Two).add(HeldSmooth) / denominator.add(HeldSmooth);
        return dice.neg().add(One).mean().MoveToOuterDisposeScope();
    }
}
