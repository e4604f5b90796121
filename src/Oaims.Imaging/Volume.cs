namespace Oaims.Imaging;

/// <summary>
/// A 3D image (a 2D image is a volume with one slice) with its geometry: float32 voxels
/// per channel, dimensions, and the voxel-to-world mapping in RAS as nibabel and 3D Slicer
/// define it (IJK -> RAS, millimetres).
/// </summary>
/// <remarks>
/// Voxel (i, j, k) of channel c is <c>Channels[c][i + Dims[0] * (j + Dims[1] * k)]</c>:
/// i varies fastest, as in NIfTI and NRRD files. Channels are planar so that a slice maps
/// onto a (C, H, W) tensor without shuffling.
/// </remarks>
public sealed class Volume
{
    public Volume(int[] dims, float[][] channels, double[,] ijkToRas, string sourceDataType = "float32")
    {
        if (dims.Length != 3) throw new ArgumentException("A volume has exactly three dimensions (use 1 for a missing one).", nameof(dims));
        if (dims.Any(d => d < 1)) throw new ArgumentException("Every dimension must be at least 1.", nameof(dims));
        if (channels.Length < 1) throw new ArgumentException("A volume needs at least one channel.", nameof(channels));
        long count = (long)dims[0] * dims[1] * dims[2];
        if (channels.Any(c => c.LongLength != count))
            throw new ArgumentException($"Each channel must hold {count} voxels ({dims[0]}x{dims[1]}x{dims[2]}).", nameof(channels));
        if (ijkToRas.GetLength(0) != 4 || ijkToRas.GetLength(1) != 4) throw new ArgumentException("The IJK-to-RAS matrix must be 4x4.", nameof(ijkToRas));
        Dims = (int[])dims.Clone();
        Channels = channels;
        IjkToRas = (double[,])ijkToRas.Clone();
        SourceDataType = sourceDataType;
    }

    /// <summary>Voxel counts along i, j, k.</summary>
    public int[] Dims { get; }

    /// <summary>Planar voxel data, one array per channel (see the type's remarks for the layout).</summary>
    public float[][] Channels { get; }

    /// <summary>Homogeneous 4x4 matrix mapping (i, j, k, 1) to (R, A, S, 1) in millimetres.</summary>
    public double[,] IjkToRas { get; }

    /// <summary>The element type the voxels had on disk (uint8, int16, int32, float32, float64, ...).</summary>
    public string SourceDataType { get; }

    public int ChannelCount => Channels.Length;
    public long VoxelCount => (long)Dims[0] * Dims[1] * Dims[2];

    public int Index(int i, int j, int k) => i + Dims[0] * (j + Dims[1] * k);

    /// <summary>Voxel spacing (mm): the length of each column of the direction part of IJK->RAS.</summary>
    public double[] Spacing => Enumerable.Range(0, 3)
        .Select(c => Math.Sqrt(IjkToRas[0, c] * IjkToRas[0, c] + IjkToRas[1, c] * IjkToRas[1, c] + IjkToRas[2, c] * IjkToRas[2, c]))
        .ToArray();

    /// <summary>World position (RAS) of voxel 0,0,0.</summary>
    public double[] Origin => new[] { IjkToRas[0, 3], IjkToRas[1, 3], IjkToRas[2, 3] };

    /// <summary>Unit direction cosines: column c is the RAS direction of axis c.</summary>
    public double[,] Direction
    {
        get
        {
            var spacing = Spacing;
            var d = new double[3, 3];
            for (int r = 0; r < 3; r++)
                for (int c = 0; c < 3; c++)
                    d[r, c] = spacing[c] == 0 ? 0 : IjkToRas[r, c] / spacing[c];
            return d;
        }
    }

    public static double[,] Identity4()
    {
        var m = new double[4, 4];
        for (int d = 0; d < 4; d++) m[d, d] = 1;
        return m;
    }
}
