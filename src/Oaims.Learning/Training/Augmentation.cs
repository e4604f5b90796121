using static TorchSharp.torch;

namespace Oaims.Learning.Training;

/// <summary>
/// Training augmentation on fitted tensors, for the ways a radiologist's images vary within one source:
/// flips, small rotations and zooms (image and labels moved together, labels by nearest neighbour so they stay
/// valid classes), intensity gamma, a smooth multiplicative bias field, contrast around the mean and Gaussian
/// noise. Nothing that imitates the target shift (no contrast inversion, no modality swap): the source model
/// must stay a source model, adaptation handles the shift. Each transform fires with its own probability;
/// every draw comes from the caller's Random, so a seeded step augments the same way on a resumed run.
/// </summary>
public sealed record Augmentation
{
    // Held for the process's life (Oaims.Analyzers' OAIMS001: a Scalar made for one call may be freed while LibTorch reads it).
    static readonly TorchSharp.Scalar Zero = 0, One = 1, SmallestRange = 1e-6;
    public double FlipProbability { get; init; } = 0.5;
    public double RotateProbability { get; init; } = 0.5;
    public double MaxRotationDegrees { get; init; } = 15;
    public double ScaleProbability { get; init; } = 0.5;
    public double MinScale { get; init; } = 0.85;
    public double MaxScale { get; init; } = 1.15;
    public double GammaProbability { get; init; } = 0.3;
    /// <summary>Gamma is drawn log-uniformly in [1/MaxGamma, MaxGamma].</summary>
    public double MaxGamma { get; init; } = 1.5;
    public double BiasFieldProbability { get; init; } = 0.3;
    /// <summary>Largest multiplicative change of the bias field (0.3: the field lies in about [0.7, 1.3]).</summary>
    public double BiasFieldStrength { get; init; } = 0.3;
    public double ContrastProbability { get; init; } = 0.3;
    public double MinContrast { get; init; } = 0.75;
    public double MaxContrast { get; init; } = 1.25;
    public double NoiseProbability { get; init; } = 0.2;
    /// <summary>Largest noise standard deviation, as a fraction of the channel's standard deviation.</summary>
    public double MaxNoise { get; init; } = 0.1;

    /// <summary>What source training uses.</summary>
    public static Augmentation Default { get; } = new();

    /// <summary>No transform at all: Apply returns copies of its inputs.</summary>
    public static Augmentation None { get; } = new()
    {
        FlipProbability = 0, RotateProbability = 0, ScaleProbability = 0, GammaProbability = 0,
        BiasFieldProbability = 0, ContrastProbability = 0, NoiseProbability = 0,
    };

    /// <summary>Returns augmented copies of image (C, S, S) and labels (S, S); the inputs are not changed.</summary>
    public (Tensor Image, Tensor Labels) Apply(Tensor image, Tensor labels, Random rng)
    {
        using var scope = NewDisposeScope();
        var x = image; var y = labels;
        if (rng.NextDouble() < FlipProbability) { x = x.flip(2); y = y.flip(1); }
        if (rng.NextDouble() < FlipProbability) { x = x.flip(1); y = y.flip(0); }
        (x, y) = Geometric(x, y, rng);
        x = Intensity(x, rng);
        return (x.clone().MoveToOuterDisposeScope(), y.clone().MoveToOuterDisposeScope());
    }

    (Tensor Image, Tensor Labels) Geometric(Tensor x, Tensor y, Random rng)
    {
        double degrees = rng.NextDouble() < RotateProbability ? Uniform(rng, -MaxRotationDegrees, MaxRotationDegrees) : 0;
        double zoom = rng.NextDouble() < ScaleProbability ? Uniform(rng, MinScale, MaxScale) : 1;
        if (degrees == 0 && zoom == 1) return (x, y);

        // affine_grid maps output positions to input positions: a zoom by s reads the input at 1/s.
        double angle = degrees * Math.PI / 180, cos = Math.Cos(angle) / zoom, sin = Math.Sin(angle) / zoom;
        using var theta = tensor(new float[] { (float)cos, (float)-sin, 0, (float)sin, (float)cos, 0 }, [1, 2, 3]);
        using var grid = nn.functional.affine_grid(theta, [1, 1, x.shape[1], x.shape[2]], align_corners: false);
        // Border padding: corners brought in by a rotation repeat the edge (background) instead of a false zero.
        var image = nn.functional.grid_sample(x.unsqueeze(0), grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Border, false).squeeze(0);
        var labels = nn.functional.grid_sample(y.to_type(ScalarType.Float32).unsqueeze(0).unsqueeze(0), grid, GridSampleMode.Nearest,
                                               GridSamplePaddingMode.Border, false).squeeze(0).squeeze(0).round().to_type(y.dtype);
        return (image, labels);
    }

    Tensor Intensity(Tensor x, Random rng)
    {
        long channels = x.shape[0];
        var outs = new Tensor[channels];
        for (int c = 0; c < channels; c++)
        {
            var channel = x[c];
            if (rng.NextDouble() < GammaProbability) channel = Gamma(channel, Math.Exp(Uniform(rng, -Math.Log(MaxGamma), Math.Log(MaxGamma))));
            if (rng.NextDouble() < BiasFieldProbability) channel = BiasField(channel, rng);
            if (rng.NextDouble() < ContrastProbability)
            {
                var mean = channel.mean();
                using TorchSharp.Scalar factor = Uniform(rng, MinContrast, MaxContrast);
                channel = (channel - mean).mul(factor) + mean;
            }
            if (rng.NextDouble() < NoiseProbability)
            {
                using TorchSharp.Scalar sigma = Uniform(rng, 0, MaxNoise);
                using var generator = new Generator((ulong)rng.NextInt64(long.MaxValue));
                channel = channel + randn(channel.shape, generator: generator) * channel.std().mul(sigma);
            }
            outs[c] = channel;
        }
        return stack(outs);
    }

    /// <summary>Gamma on the channel scaled to [0, 1], then scaled back, so normalised (signed) values stay in range.</summary>
    static Tensor Gamma(Tensor channel, double gamma)
    {
        using TorchSharp.Scalar exponent = gamma;
        return InUnitRange(channel, unit => unit.pow(exponent));
    }

    /// <summary>A smooth multiplicative field: a random 4x4 grid of factors, upsampled bilinearly to the image size.
    /// Applied on the [0, 1]-scaled channel so that it brightens and darkens tissue, not the sign of z-scores.</summary>
    Tensor BiasField(Tensor channel, Random rng)
    {
        var factors = new float[16];
        for (int i = 0; i < factors.Length; i++) factors[i] = (float)(1 + Uniform(rng, -BiasFieldStrength, BiasFieldStrength));
        var field = nn.functional.interpolate(tensor(factors, [1, 1, 4, 4]), [channel.shape[0], channel.shape[1]],
                                              mode: InterpolationMode.Bilinear, align_corners: true).squeeze(0).squeeze(0);
        return InUnitRange(channel, unit => (unit * field).clamp(Zero, One));
    }

    static Tensor InUnitRange(Tensor channel, Func<Tensor, Tensor> transform)
    {
        var low = channel.min(); var range = (channel.max() - low).clamp_min(SmallestRange);
        return transform((channel - low) / range) * range + low;
    }

    static double Uniform(Random rng, double low, double high) => low + (high - low) * rng.NextDouble();
}
