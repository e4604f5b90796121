using System.Globalization;

namespace Oaims.Learning.Data;

/// <summary>
/// A synthetic distribution shift applied to normalised images, for experiments where no second domain
/// with the same labels exists: "gamma:0.6", "blur:2", "colour:0.8", "invert", combined with '+'.
/// Intensities are taken to [0, 1] by the channel's min-max, shifted, and mapped back to the original range.
/// </summary>
public sealed record SyntheticShift(double Gamma = 1, double BlurSigma = 0, double ColourFactor = 1, bool Invert = false)
{
    public static SyntheticShift Parse(string spec)
    {
        var shift = new SyntheticShift();
        foreach (string part in spec.Split('+', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = part.Split(':', 2);
            double Value() => kv.Length == 2 && double.TryParse(kv[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v > 0
                ? v : throw new ArgumentException($"Shift '{part}' needs a positive number, e.g. gamma:0.6.");
            shift = kv[0].ToLowerInvariant() switch
            {
                "gamma" => shift with { Gamma = Value() },
                "blur" => shift with { BlurSigma = Value() },
                "colour" or "color" => shift with { ColourFactor = Value() },
                "invert" => shift with { Invert = true },
                _ => throw new ArgumentException($"Unknown shift '{kv[0]}': use gamma, blur, colour or invert."),
            };
        }
        return shift;
    }

    public SliceSample Apply(SliceSample sample)
    {
        int plane = sample.Width * sample.Height;
        var image = (float[])sample.Image.Clone();
        for (int c = 0; c < sample.Channels; c++)
        {
            var channel = image.AsSpan(c * plane, plane);
            float min = float.MaxValue, max = float.MinValue;
            foreach (float v in channel) { min = Math.Min(min, v); max = Math.Max(max, v); }
            float range = Math.Max(max - min, 1e-6f);
            // Colour: the first channel scaled by the factor, the last by its inverse (a warmer or cooler cast).
            double colour = sample.Channels < 3 ? 1 : c == 0 ? ColourFactor : c == sample.Channels - 1 ? 1 / ColourFactor : 1;
            for (int i = 0; i < plane; i++)
            {
                double unit = (channel[i] - min) / range;
                if (Invert) unit = 1 - unit;
                unit = Math.Clamp(Math.Pow(unit, Gamma) * colour, 0, 1);
                channel[i] = (float)(min + unit * range);
            }
            if (BlurSigma > 0) GaussianBlur(channel, sample.Width, sample.Height, BlurSigma);
        }
        return sample with { Image = image };
    }

    static void GaussianBlur(Span<float> pixels, int width, int height, double sigma)
    {
        int radius = (int)Math.Ceiling(3 * sigma);
        var kernel = Enumerable.Range(-radius, 2 * radius + 1).Select(d => Math.Exp(-d * d / (2 * sigma * sigma))).ToArray();
        double total = kernel.Sum();
        var temp = new float[pixels.Length];
        // Separable: rows into temp, then columns back; edges replicate the border pixel.
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double sum = 0;
                for (int d = -radius; d <= radius; d++) sum += kernel[d + radius] * pixels[Math.Clamp(x + d, 0, width - 1) + width * y];
                temp[x + width * y] = (float)(sum / total);
            }
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                double sum = 0;
                for (int d = -radius; d <= radius; d++) sum += kernel[d + radius] * temp[x + width * Math.Clamp(y + d, 0, height - 1)];
                pixels[x + width * y] = (float)(sum / total);
            }
    }
}
