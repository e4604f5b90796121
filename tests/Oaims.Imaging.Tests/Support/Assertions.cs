using System.Security.Cryptography;
using System.Runtime.InteropServices;

namespace Oaims.Imaging.Tests.Support;

/// <summary>Comparisons tests share: affines within a tolerance, voxels exactly.</summary>
public static class Assertions
{
    public static void AffineEqual(double[,] expected, double[,] actual, double tolerance = 1e-4)
    {
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 4; c++)
                if (Math.Abs(expected[r, c] - actual[r, c]) > tolerance)
                    Assert.Fail($"Affine differs at [{r},{c}]: expected {expected[r, c]}, got {actual[r, c]}.\nExpected:\n{Format(expected)}\nActual:\n{Format(actual)}");
    }

    public static void VoxelsEqual(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (!expected[i].Equals(actual[i]))
                Assert.Fail($"Voxel {i} differs: expected {expected[i]:R}, got {actual[i]:R}.");
    }

    /// <summary>All channels concatenated, as nibabel's Fortran-order ravel of an (x, y, z, c) array.</summary>
    public static float[] AllVoxels(Volume v) => v.Channels.SelectMany(c => c).ToArray();

    public static string Sha256(Volume v)
    {
        using var sha = SHA256.Create();
        foreach (var channel in v.Channels)
        {
            var bytes = MemoryMarshal.AsBytes(channel.AsSpan()).ToArray();
            sha.TransformBlock(bytes, 0, bytes.Length, null, 0);
        }
        sha.TransformFinalBlock(Array.Empty<byte>(), 0, 0);
        return Convert.ToHexString(sha.Hash!).ToLowerInvariant();
    }

    public static string Format(double[,] m) =>
        string.Join("\n", Enumerable.Range(0, m.GetLength(0)).Select(r => string.Join(" ", Enumerable.Range(0, m.GetLength(1)).Select(c => m[r, c].ToString("G9")))));
}
