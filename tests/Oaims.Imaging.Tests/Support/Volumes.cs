namespace Oaims.Imaging.Tests.Support;

/// <summary>Small volumes with known contents for round trips.</summary>
public static class Volumes
{
    /// <summary>An oblique, anisotropic, left-handed grid (exercises qfac = -1 and a non-trivial quaternion).</summary>
    public static double[,] ObliqueAffine()
    {
        double a = Math.PI / 7;
        return new double[,]
        {
            { -0.9 * Math.Cos(a), 1.1 * Math.Sin(a), 0, 12.5 },
            { 0.9 * Math.Sin(a), 1.1 * Math.Cos(a), 0, -30.25 },
            { 0, 0, -2.5, 7 },
            { 0, 0, 0, 1 },
        };
    }

    /// <summary>Integer-valued voxels that every type in <paramref name="type"/>'s range represents exactly.</summary>
    public static Volume Ramp(VoxelType type, int nx = 5, int ny = 4, int nz = 3, int channels = 1, double[,]? affine = null)
    {
        var (min, max) = type.Range();
        double lo = Math.Max(min, -100), hi = Math.Min(max, 200);
        int n = nx * ny * nz;
        var data = new float[channels][];
        for (int c = 0; c < channels; c++)
        {
            data[c] = new float[n];
            for (int i = 0; i < n; i++)
            {
                double v = lo + ((i * 37 + c * 11) % (int)(hi - lo + 1));
                data[c][i] = type.IsInteger() ? (float)v : (float)(v + 0.25);
            }
        }
        return new Volume(new[] { nx, ny, nz }, data, affine ?? ObliqueAffine(), type.Name());
    }
}
