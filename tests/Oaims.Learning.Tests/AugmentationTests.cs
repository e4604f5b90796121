using Oaims.Learning.Training;
using static TorchSharp.torch;

namespace Oaims.Learning.Tests;

public sealed class AugmentationTests
{
    const int Size = 64;

    /// <summary>A dark image with one bright square off the centre, and its label (1 on the square).</summary>
    static (Tensor Image, Tensor Labels) Blob()
    {
        var image = zeros(1, Size, Size);
        var labels = zeros(Size, Size, dtype: ScalarType.Int64);
        image[0, 10..26, 36..52] = 1;
        labels[10..26, 36..52] = 1;
        return (image, labels);
    }

    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    static Augmentation GeometryOnly => Augmentation.None with { RotateProbability = 1, ScaleProbability = 1 };

    [Fact]
    public void WithEveryProbabilityZeroTheImageAndLabelsComeBackUnchanged()
    {
        TorchRuntime.EnsureLoaded();
        var (image, labels) = Blob();
        var (x, y) = Augmentation.None.Apply(image, labels, new Random(1));
        Assert.True(Same(x, image));
        Assert.True(Same(y, labels));
    }

    [Fact]
    public void TheSameSeedGivesTheSameAugmentationAndAnotherSeedADifferentOne()
    {
        TorchRuntime.EnsureLoaded();
        var (image, labels) = Blob();
        var everything = Augmentation.Default with
        {
            FlipProbability = 1, RotateProbability = 1, ScaleProbability = 1, GammaProbability = 1,
            BiasFieldProbability = 1, ContrastProbability = 1, NoiseProbability = 1,
        };
        var (a, la) = everything.Apply(image, labels, new Random(7));
        var (b, lb) = everything.Apply(image, labels, new Random(7));
        var (c, _) = everything.Apply(image, labels, new Random(8));
        Assert.True(Same(a, b));
        Assert.True(Same(la, lb));
        Assert.False(Same(a, c));
    }

    [Fact]
    public void ARotatedAndZoomedLabelStillCoversTheBrightBlobOfTheImage()
    {
        TorchRuntime.EnsureLoaded();
        var (image, labels) = Blob();
        for (int seed = 0; seed < 10; seed++)
        {
            var (x, y) = GeometryOnly.Apply(image, labels, new Random(seed));
            var label = y.to_type(ScalarType.Bool);
            var bright = x[0] > tensor(0.5f);
            double overlap = (label & bright).sum().item<long>(), union = (label | bright).sum().item<long>();
            Assert.True(overlap / union > 0.85, $"Seed {seed}: label and bright blob overlap {overlap / union:F2} (IoU).");
            Assert.False(Same(y, labels), $"Seed {seed}: the geometry should have moved the label.");
        }
    }

    [Fact]
    public void RotatedLabelsKeepOnlyTheClassesTheyHad()
    {
        TorchRuntime.EnsureLoaded();
        var (image, labels) = Blob();
        labels[30..50, 5..25] = 2;
        for (int seed = 0; seed < 10; seed++)
        {
            var (_, y) = GeometryOnly.Apply(image, labels, new Random(seed));
            Assert.Equal(ScalarType.Int64, y.dtype);
            var values = y.unique().Item1.data<long>().ToArray();
            Assert.Equal([0L, 1L, 2L], values);
        }
    }

    [Fact]
    public void IntensityTransformsLeaveTheLabelsAndTheShapeAlone()
    {
        TorchRuntime.EnsureLoaded();
        var (image, labels) = Blob();
        var intensityOnly = Augmentation.None with { GammaProbability = 1, BiasFieldProbability = 1, ContrastProbability = 1, NoiseProbability = 1 };
        var (x, y) = intensityOnly.Apply(image, labels, new Random(3));
        Assert.Equal(image.shape, x.shape);
        Assert.True(Same(y, labels));
        Assert.False(Same(x, image));
        Assert.True(x.isfinite().all().item<bool>());
        // Still a bright blob on a dark background: intensity changes never invert the contrast.
        var inside = x[0][labels.to_type(ScalarType.Bool)].mean().item<float>();
        var outside = x[0][labels.logical_not()].mean().item<float>();
        Assert.True(inside > outside + 0.5, $"Blob {inside:F2} should stay brighter than background {outside:F2}.");
    }
}
