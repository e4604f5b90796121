using Oaims.Interaction;
using Oaims.Learning.Losses;
using static TorchSharp.torch;

namespace Oaims.Learning.Tests;

public class LossTests
{
    // Two pixels, two classes. Pixel 0: logits (0, 0), label 1 -> p_t = 1/2.
    // Pixel 1: logits (0, ln 3), label 0 -> p = (1/4, 3/4), p_t = 1/4.
    static (Tensor logits, Tensor target) TwoPixels() =>
        (tensor(new float[] { 0f, 0f, 0f, MathF.Log(3f) }, [1, 2, 1, 2]), tensor(new long[] { 1, 0 }, [1, 1, 2]));

    [Fact]
    public void FocalLossMatchesTheHandComputedValue()
    {
        var (logits, target) = TwoPixels();
        double pixel0 = -Math.Pow(0.5, 2) * Math.Log(0.5);
        double pixel1 = -Math.Pow(0.75, 2) * Math.Log(0.25);
        Assert.Equal((pixel0 + pixel1) / 2, DiceFocalLoss.Focal(logits, target).item<float>(), 5);
    }

    [Fact]
    public void DiceLossIgnoresBackgroundAndMatchesTheHandComputedValue()
    {
        var (logits, target) = TwoPixels();
        // Class 1: p = (1/2, 3/4), g = (1, 0): intersection 1/2, sums 5/4 + 1.
        double dice = (2 * 0.5 + 1e-5) / (1.25 + 1 + 1e-5);
        Assert.Equal(1 - dice, DiceFocalLoss.Dice(logits, target).item<float>(), 5);
    }

    [Fact]
    public void DiceFocalWeighsFocalSevenTenthsAndDiceThreeTenths()
    {
        var (logits, target) = TwoPixels();
        double focal = (-0.25 * Math.Log(0.5) - 0.5625 * Math.Log(0.25)) / 2;
        double dice = 1 - (1 + 1e-5) / (2.25 + 1e-5);
        Assert.Equal(0.7 * focal + 0.3 * dice, DiceFocalLoss.Compute(logits, target).item<float>(), 5);
    }

    [Fact]
    public void CcgLossCountsOnlyPixelsOfTheClickedClassWeightedByTheGaussian()
    {
        // 3x3 slice, uniform logits (CE = ln 2 everywhere). Click of class 1 at the centre; label 1 at the
        // centre and its right neighbour only, so only those two pixels count: weights 1 and exp(-1/18).
        var logits = zeros(1, 2, 3, 3);
        var labels = new long[9];
        labels[4] = 1; labels[5] = 1;
        var target = tensor(labels, [1, 3, 3]);
        var clicks = new[] { new[] { new Click(1, 1, 1) } };
        double expected = Math.Log(2) * (1 + Math.Exp(-1.0 / 18)) / (1 * 9);
        Assert.Equal(expected, ClickCentredGaussianLoss.Compute(logits, target, clicks).item<float>(), 5);
    }

    [Fact]
    public void CcgLossAveragesOverClicksAndIsZeroWithoutClicks()
    {
        var logits = zeros(2, 2, 3, 3);
        var target = zeros(2, 3, 3, dtype: ScalarType.Int64);
        // Sample 0: two background clicks in opposite corners; sample 1: none.
        var clicks = new IReadOnlyList<Click>[] { new[] { new Click(0, 0, 0), new Click(2, 2, 0) }, Array.Empty<Click>() };
        double windowSum = 0; // every pixel of a 3x3 slice lies within radius 10 of a corner
        for (int x = 0; x < 3; x++) for (int y = 0; y < 3; y++) windowSum += Math.Exp(-(x * x + y * y) / 18.0);
        double sample0 = Math.Log(2) * 2 * windowSum / (2 * 9);
        Assert.Equal((sample0 + 0) / 2, ClickCentredGaussianLoss.Compute(logits, target, clicks).item<float>(), 5);
    }
}
