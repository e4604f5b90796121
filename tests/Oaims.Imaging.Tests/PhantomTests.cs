namespace Oaims.Imaging.Tests;

public sealed class PhantomTests
{
    private static readonly PhantomOptions Base = new() { Width = 64, Height = 64, Seed = 5 };

    private static float[] Image(PhantomOptions o) => Phantom.Generate(o).Image.Channels[0];

    private static double Std(IEnumerable<double> values)
    {
        var v = values.ToArray();
        double mean = v.Average();
        return Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / v.Length);
    }

    [Fact]
    public void The_same_seed_gives_the_same_image_and_label()
    {
        var a = Phantom.Generate(Base with { NoiseStd = 0.05 });
        var b = Phantom.Generate(Base with { NoiseStd = 0.05 });

        Assert.Equal(a.Image.Channels[0], b.Image.Channels[0]);
        Assert.Equal(a.Label.Channels[0], b.Label.Channels[0]);
    }

    [Fact]
    public void Different_seeds_give_different_lesions()
    {
        Assert.NotEqual(Phantom.Generate2D(seed: 1).Label.Channels[0], Phantom.Generate2D(seed: 2).Label.Channels[0]);
    }

    [Fact]
    public void The_lesion_is_a_bright_0_1_labelled_blob_well_inside_the_image()
    {
        var p = Phantom.Generate(Base);
        var label = p.Label.Channels[0];
        var image = p.Image.Channels[0];

        double fraction = label.Average();
        Assert.All(label, v => Assert.True(v is 0 or 1));
        Assert.InRange(fraction, 0.03, 0.4);
        double inside = image.Where((_, i) => label[i] == 1).Average();
        double outside = image.Where((_, i) => label[i] == 0).Average();
        Assert.True(inside > outside + 0.3, $"lesion {inside} vs background {outside}");
        for (int i = 0; i < 64; i++) // no lesion voxel on the border
            Assert.Equal(0f, label[i] + label[i * 64] + label[63 + i * 64] + label[63 * 64 + i]);
    }

    [Fact]
    public void The_background_is_textured_not_flat()
    {
        var p = Phantom.Generate(Base);
        var label = p.Label.Channels[0];

        Assert.True(Std(p.Image.Channels[0].Where((_, i) => label[i] == 0).Select(v => (double)v)) > 0.01);
    }

    [Fact]
    public void A_3D_phantom_has_the_requested_size_and_a_lesion_spanning_several_slices()
    {
        var p = Phantom.Generate3D(48, 40, 12, seed: 3);
        var label = p.Label.Channels[0];

        Assert.Equal(new[] { 48, 40, 12 }, p.Image.Dims);
        int slicesWithLesion = Enumerable.Range(0, 12).Count(k => label.Skip(k * 48 * 40).Take(48 * 40).Any(v => v == 1));
        Assert.InRange(slicesWithLesion, 3, 11);
    }

    [Fact]
    public void Contrast_inversion_maps_every_intensity_v_to_1_minus_v()
    {
        var plain = Image(Base);
        var inverted = Image(Base with { InvertContrast = true });

        for (int i = 0; i < plain.Length; i++) Assert.Equal(1 - plain[i], inverted[i], 1e-6);
    }

    [Fact]
    public void Gamma_raises_every_intensity_to_the_power()
    {
        var plain = Image(Base);
        var gamma = Image(Base with { Gamma = 2.5 });

        for (int i = 0; i < plain.Length; i++) Assert.Equal(Math.Pow(plain[i], 2.5), gamma[i], 1e-6);
    }

    [Fact]
    public void The_bias_field_multiplies_by_a_smooth_factor_between_exp_minus_b_and_exp_b()
    {
        var plain = Image(Base);
        var biased = Image(Base with { BiasField = 0.4 });

        var ratio = plain.Select((v, i) => biased[i] / (double)v).ToArray();
        Assert.All(ratio, r => Assert.InRange(r, Math.Exp(-0.4) - 1e-6, Math.Exp(0.4) + 1e-6));
        Assert.True(ratio.Max() - ratio.Min() > 0.2, "the field should vary across the image");
        double largestStep = Enumerable.Range(0, ratio.Length - 1).Where(i => (i + 1) % 64 != 0).Max(i => Math.Abs(ratio[i + 1] - ratio[i]));
        Assert.True(largestStep < 0.05, $"neighbouring factors differ by {largestStep}");
    }

    [Fact]
    public void Blur_smooths_the_image_and_keeps_its_mean()
    {
        var plain = Image(Base);
        var blurred = Image(Base with { BlurSigma = 1.5 });

        // Squared differences between horizontal neighbours (not across row ends): the gradient energy blur removes.
        static double Roughness(float[] a) => Enumerable.Range(0, a.Length - 1).Where(i => (i + 1) % 64 != 0).Sum(i => (a[i + 1] - a[i]) * (double)(a[i + 1] - a[i]));
        Assert.True(Roughness(blurred) < 0.8 * Roughness(plain), $"gradient energy {Roughness(blurred)} after blur vs {Roughness(plain)} before");
        Assert.Equal(plain.Average(), blurred.Average(), 2);
    }

    [Fact]
    public void Noise_adds_zero_mean_gaussian_noise_of_the_requested_std()
    {
        var plain = Image(Base);
        var noisy = Image(Base with { NoiseStd = 0.1 });

        var diff = noisy.Select((v, i) => (double)v - plain[i]).ToArray();
        Assert.InRange(Std(diff), 0.09, 0.11);
        Assert.InRange(diff.Average(), -0.01, 0.01);
    }

    [Fact]
    public void No_shift_moves_the_lesion()
    {
        var label = Phantom.Generate(Base).Label.Channels[0];
        var shifted = Phantom.Generate(Base with { InvertContrast = true, Gamma = 0.5, BiasField = 0.3, BlurSigma = 1, NoiseStd = 0.2 });

        Assert.Equal(label, shifted.Label.Channels[0]);
    }
}
