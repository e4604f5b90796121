namespace Oaims.Interaction;

/// <summary>A pixel of a click's neighbourhood and how much the CCG loss weighs it.</summary>
public readonly record struct WeightedPixel(int Index, float Weight);

/// <summary>The click-centred Gaussian weights of the CCG loss: G(i,j) = exp(-d^2 / (2 sigma^2)) around a click, sigma 3, zero beyond radius 10.</summary>
/// <remarks>
/// The cut is circular (d &lt;= 10, just past 3 sigma) so the window has no corners that weigh pixels
/// farther away than pixels it drops. The weights are not normalised: the click pixel weighs 1.
/// The loss itself (class mask, cross-entropy, averaging) belongs to the Learning layer.
/// </remarks>
public static class ClickCentredGaussian
{
    public const double Sigma = 3.0;
    public const int Radius = 10;

    /// <summary>The non-zero weights of one click, clipped to the slice, as (row-major index, weight) pairs in index order.</summary>
    public static WeightedPixel[] Weights(Click click, int width, int height)
    {
        click.EnsureInside(width, height);
        var pixels = new List<WeightedPixel>((2 * Radius + 1) * (2 * Radius + 1));
        int x0 = Math.Max(0, click.X - Radius), x1 = Math.Min(width - 1, click.X + Radius);
        int y0 = Math.Max(0, click.Y - Radius), y1 = Math.Min(height - 1, click.Y + Radius);
        for (int y = y0; y <= y1; y++)
            for (int x = x0; x <= x1; x++)
            {
                int d2 = (x - click.X) * (x - click.X) + (y - click.Y) * (y - click.Y);
                if (d2 <= Radius * Radius) pixels.Add(new WeightedPixel(x + width * y, WeightAtSquaredDistance(d2)));
            }
        return pixels.ToArray();
    }

    /// <summary>The dense weight map of one click, float[height * width], row-major.</summary>
    public static float[] Map(Click click, int width, int height) => Map([click], width, height);

    /// <summary>The sum of the weight maps of several clicks, float[height * width], row-major.</summary>
    public static float[] Map(IEnumerable<Click> clicks, int width, int height)
    {
        var map = new float[checked(width * height)];
        foreach (var click in clicks) AddTo(map, click, width, height);
        return map;
    }

    /// <summary>Adds <paramref name="scale"/> times one click's weights into a dense row-major map.</summary>
    public static void AddTo(Span<float> map, Click click, int width, int height, float scale = 1f)
    {
        if (map.Length != width * height)
            throw new ArgumentException($"A {width}x{height} weight map needs {width * height} floats, got {map.Length}.", nameof(map));
        foreach (var pixel in Weights(click, width, height)) map[pixel.Index] += scale * pixel.Weight;
    }

    /// <summary>The weight at squared distance d2 from a click (0 beyond the radius).</summary>
    public static float WeightAtSquaredDistance(int d2) =>
        d2 > Radius * Radius ? 0f : (float)Math.Exp(-d2 / (2 * Sigma * Sigma));
}
