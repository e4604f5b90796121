namespace Oaims.Service.Images;

/// <summary>
/// Products of sizes a client declares (dims, channels, bytes per voxel), computed so that they never wrap around:
/// three int32 dims can multiply past 2^63, and a wrapped product once let a header of 10^9 x 10^9 x 16 voxels pass as
/// 524 288 bytes. Every such product is taken here, compared with its limit step by step.
/// </summary>
public static class DeclaredSize
{
    /// <summary>The product of the factors (each at least 0), or null when it is larger than <paramref name="limit"/>.</summary>
    public static long? ProductWithin(long limit, params ReadOnlySpan<long> factors)
    {
        foreach (long factor in factors)
            if (factor < 0) throw new ArgumentException($"A size cannot be negative, got {factor}.");
        if (factors.Contains(0)) return 0;
        long product = 1;
        foreach (long factor in factors)
        {
            // product * factor > limit, asked without computing a product that might not fit.
            if (product > limit / factor) return null;
            product *= factor;
        }
        return product;
    }

    /// <summary>The product of the factors, or RESOURCE_EXHAUSTED with the given sentence when it is larger than <paramref name="limit"/>.</summary>
    public static long Product(long limit, string tooLarge, params ReadOnlySpan<long> factors) =>
        ProductWithin(limit, factors) ?? throw new LimitExceededException(tooLarge);
}
