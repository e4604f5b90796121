using System.Numerics;

namespace Oaims.Imaging;

/// <summary>Validates header-declared sizes before anything is allocated from them.</summary>
internal static class PayloadSize
{
    /// <summary>
    /// Returns the payload size in bytes, or throws when a size is not positive or the total is
    /// over the limit. BigInteger because a hostile header can declare 2^63 along every axis.
    /// </summary>
    public static long Bytes(string path, IReadOnlyList<long> sizes, int elementBytes, string typeName, ReadLimits limits)
    {
        for (int i = 0; i < sizes.Count; i++)
            if (sizes[i] < 1)
                throw new ImageFormatException(path, $"declares an impossible size: axis {i} has {sizes[i]} voxels");
        BigInteger total = elementBytes;
        foreach (long s in sizes) total *= s;
        long max = limits.EffectiveMaxDataBytes;
        if (total > max)
            throw new ImageFormatException(path,
                $"declares an absurd size: {string.Join(" x ", sizes)} voxels of {typeName} would need {total} bytes, over the {max}-byte limit");
        return (long)total;
    }
}
