namespace Oaims.Interaction;

/// <summary>Encodes clicks as the network's guidance input: one Gaussian-blurred, min-max scaled map per class, laid out (C, H, W).</summary>
/// <remarks>
/// Each click is a single 1 in its class's map; the map is convolved with a normalised Gaussian
/// (sigma 5, 31x31 window, zero padding) and scaled to [0, 1]. A class without clicks gives an all-zero map.
/// Two clicks on the same pixel still make a single 1, as in the reference encoding.
/// </remarks>
public static class GuidanceMaps
{
    public const double Sigma = 5.0;
    public const int Radius = 15;

    private static readonly float[] Kernel = NormalisedGaussian(Sigma, Radius);

    /// <summary>Guidance maps for the clicks of one slice, as float[classes * height * width] in (C, H, W) order.</summary>
    public static float[] Encode(IReadOnlyList<Click> clicks, int classes, int width, int height)
    {
        var maps = new float[checked(classes * width * height)];
        EncodeInto(maps, clicks, classes, width, height);
        return maps;
    }

    /// <summary>Writes the guidance maps into <paramref name="destination"/> (overwritten, length classes * height * width), e.g. a pooled input buffer.</summary>
    public static void EncodeInto(Span<float> destination, IReadOnlyList<Click> clicks, int classes, int width, int height)
    {
        if (classes <= 0) throw new ArgumentOutOfRangeException(nameof(classes), "At least one class is needed.");
        int plane = width * height;
        if (destination.Length != classes * plane)
            throw new ArgumentException($"Guidance maps need {classes * plane} floats, got {destination.Length}.", nameof(destination));
        foreach (var click in clicks)
        {
            click.EnsureInside(width, height);
            if ((uint)click.Class >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(clicks), $"Click class {click.Class} is not one of the {classes} classes.");
        }

        destination.Clear();
        var row = new float[width];
        for (int c = 0; c < classes; c++)
            BlurClicksOfClass(destination.Slice(c * plane, plane), clicks, c, width, height, row);
    }

    // The blur is separable and the input is a handful of impulses, so the horizontal pass only needs the rows
    // holding clicks and the vertical pass only spreads those rows by the radius: cost ~ clicks * 31 * width,
    // not height * width * 31 * 2 as a dense convolution would be.
    private static void BlurClicksOfClass(Span<float> map, IReadOnlyList<Click> clicks, int classIndex, int width, int height, float[] row)
    {
        var pixels = DistinctPixelsOfClass(clicks, classIndex, width);
        if (pixels.Count == 0) return;

        int minX = width, maxX = -1, minY = height, maxY = -1;
        int start = 0;
        while (start < pixels.Count)
        {
            int y = pixels[start] / width;
            int end = start;
            int rowMinX = width, rowMaxX = -1;
            while (end < pixels.Count && pixels[end] / width == y)
            {
                int cx = pixels[end] % width;
                rowMinX = Math.Min(rowMinX, cx);
                rowMaxX = Math.Max(rowMaxX, cx);
                end++;
            }

            int x0 = Math.Max(0, rowMinX - Radius), x1 = Math.Min(width - 1, rowMaxX + Radius);
            Array.Clear(row, x0, x1 - x0 + 1);
            for (int p = start; p < end; p++)
            {
                int cx = pixels[p] % width;
                int a = Math.Max(0, cx - Radius), b = Math.Min(width - 1, cx + Radius);
                for (int x = a; x <= b; x++) row[x] += Kernel[x - cx + Radius];
            }

            int y0 = Math.Max(0, y - Radius), y1 = Math.Min(height - 1, y + Radius);
            for (int yy = y0; yy <= y1; yy++)
            {
                float k = Kernel[yy - y + Radius];
                var target = map.Slice(yy * width + x0, x1 - x0 + 1);
                var source = row.AsSpan(x0, x1 - x0 + 1);
                for (int i = 0; i < target.Length; i++) target[i] += k * source[i];
            }

            minX = Math.Min(minX, x0); maxX = Math.Max(maxX, x1);
            minY = Math.Min(minY, y0); maxY = Math.Max(maxY, y1);
            start = end;
        }

        ScaleToUnitRange(map, width, height, minX, maxX, minY, maxY);
    }

    // Pixels outside the touched box are 0 and every blurred value is >= 0, so unless the box covers the whole
    // slice the minimum is 0 and only the box needs scanning and scaling.
    private static void ScaleToUnitRange(Span<float> map, int width, int height, int minX, int maxX, int minY, int maxY)
    {
        bool coversSlice = minX == 0 && minY == 0 && maxX == width - 1 && maxY == height - 1;
        float min = coversSlice ? float.MaxValue : 0f, max = float.MinValue;
        for (int y = minY; y <= maxY; y++)
            foreach (float v in map.Slice(y * width + minX, maxX - minX + 1))
            {
                if (v < min) min = v;
                if (v > max) max = v;
            }

        float range = max - min;
        for (int y = minY; y <= maxY; y++)
        {
            var line = map.Slice(y * width + minX, maxX - minX + 1);
            for (int i = 0; i < line.Length; i++)
                // A constant map (only possible when the window covers a tiny slice) is all click: call it 1.
                line[i] = range > 0 ? (line[i] - min) / range : 1f;
        }
    }

    private static List<int> DistinctPixelsOfClass(IReadOnlyList<Click> clicks, int classIndex, int width)
    {
        var pixels = new List<int>();
        foreach (var click in clicks)
            if (click.Class == classIndex) pixels.Add(click.IndexIn(width));
        pixels.Sort();
        int kept = 0;
        for (int i = 0; i < pixels.Count; i++)
            if (i == 0 || pixels[i] != pixels[i - 1]) pixels[kept++] = pixels[i];
        pixels.RemoveRange(kept, pixels.Count - kept);
        return pixels;
    }

    private static float[] NormalisedGaussian(double sigma, int radius)
    {
        var weights = new double[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) sum += weights[i + radius] = Math.Exp(-i * i / (2 * sigma * sigma));
        return weights.Select(w => (float)(w / sum)).ToArray();
    }
}
