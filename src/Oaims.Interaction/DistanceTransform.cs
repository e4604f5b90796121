namespace Oaims.Interaction;

/// <summary>Exact Euclidean distance transform of 2D masks (Felzenszwalb-Huttenlocher, two separable passes).</summary>
public static class DistanceTransform
{
    /// <summary>Marks an inside pixel that no outside pixel can reach (a full mask whose image edge does not count as outside).</summary>
    public const int Unreachable = int.MaxValue;

    private const long None = long.MaxValue;

    /// <summary>
    /// For each pixel inside the mask, the squared distance to the nearest pixel outside it (0 for outside pixels), row-major.
    /// With <paramref name="imageEdgeIsOutside"/> the pixels just beyond the image count as outside, so a region touching
    /// the edge has its centre pulled inwards (as the usual simulated clickers do by zero-padding the mask).
    /// </summary>
    /// <remarks>Squared distances are integers and are computed exactly, so callers can compare them without tolerance.</remarks>
    public static int[] Squared(ReadOnlySpan<bool> inside, int width, int height, bool imageEdgeIsOutside = true)
    {
        if (width <= 0 || height <= 0 || inside.Length != width * height)
            throw new ArgumentException($"A {width}x{height} mask needs {width * height} pixels, got {inside.Length}.", nameof(inside));

        // Pass 1, along rows: the distance to the nearest outside pixel of the same row (None when the row has none).
        var rowDistance = new long[inside.Length];
        for (int y = 0; y < height; y++)
        {
            int row = y * width;
            int? last = imageEdgeIsOutside ? -1 : null;
            for (int x = 0; x < width; x++)
            {
                if (!inside[row + x]) last = x;
                rowDistance[row + x] = last is int l ? x - l : None;
            }
            int? next = imageEdgeIsOutside ? width : null;
            for (int x = width - 1; x >= 0; x--)
            {
                if (!inside[row + x]) next = x;
                if (next is int n) rowDistance[row + x] = Math.Min(rowDistance[row + x], n - x);
            }
        }

        // Pass 2, along columns: the lower envelope of parabolas (y - q)^2 + rowDistance(q)^2.
        var result = new int[inside.Length];
        var f = new long[height];
        var d = new long[height];
        var v = new int[height];
        var z = new double[height + 1];
        for (int x = 0; x < width; x++)
        {
            for (int y = 0; y < height; y++)
            {
                long g = rowDistance[x + width * y];
                f[y] = g == None ? None : g * g;
            }
            LowerEnvelope(f, d, v, z);
            for (int y = 0; y < height; y++)
            {
                long best = d[y];
                if (imageEdgeIsOutside)
                    best = Math.Min(best, Math.Min((long)(y + 1) * (y + 1), (long)(height - y) * (height - y)));
                result[x + width * y] = best >= Unreachable ? Unreachable : (int)best;
            }
        }
        return result;
    }

    /// <summary>For each pixel inside the mask, the Euclidean distance to the nearest pixel outside it (see <see cref="Squared"/>).</summary>
    public static float[] Euclidean(ReadOnlySpan<bool> inside, int width, int height, bool imageEdgeIsOutside = true)
    {
        var squared = Squared(inside, width, height, imageEdgeIsOutside);
        var distance = new float[squared.Length];
        for (int i = 0; i < squared.Length; i++)
            distance[i] = squared[i] == Unreachable ? float.PositiveInfinity : MathF.Sqrt(squared[i]);
        return distance;
    }

    // 1D squared distance transform of sampled function f (None = no sample there). Only finite samples enter the
    // envelope, which keeps the intersection arithmetic exact: the inputs are integers, and distinct intersections of
    // integer parabolas differ by far more than double rounding.
    private static void LowerEnvelope(long[] f, long[] d, int[] v, double[] z)
    {
        int n = f.Length, k = -1;
        for (int q = 0; q < n; q++)
        {
            if (f[q] == None) continue;
            if (k < 0)
            {
                k = 0;
                v[0] = q;
                z[0] = double.NegativeInfinity;
                z[1] = double.PositiveInfinity;
                continue;
            }
            double s = Intersection(f, q, v[k]);
            // z[0] is -infinity, so k never drops below 0 here.
            while (s <= z[k]) s = Intersection(f, q, v[--k]);
            k++;
            v[k] = q;
            z[k] = s;
            z[k + 1] = double.PositiveInfinity;
        }

        if (k < 0)
        {
            Array.Fill(d, None);
            return;
        }
        int j = 0;
        for (int q = 0; q < n; q++)
        {
            while (z[j + 1] < q) j++;
            long dq = q - v[j];
            d[q] = dq * dq + f[v[j]];
        }
    }

    private static double Intersection(long[] f, int q, int p) =>
        ((f[q] + (double)q * q) - (f[p] + (double)p * p)) / (2.0 * (q - p));
}
