namespace Oaims.Imaging;

/// <summary>A 2D image cut from a volume: row-major pixels, x fastest.</summary>
public sealed record Slice2D(float[] Pixels, int Width, int Height);

/// <summary>
/// Cuts 2D slices out of volume channels and writes 2D masks back. The slice keeps the two
/// remaining axes in volume order, lower axis as x: axis 2 (axial for most scans) gives
/// x = i, y = j; axis 1 gives x = i, y = k; axis 0 gives x = j, y = k. Nothing is flipped for
/// display, so pixel (x, y) of a slice and voxel indices convert both ways without geometry.
/// </summary>
public static class VolumeSlices
{
    /// <summary>Width and height of a slice perpendicular to <paramref name="axis"/>.</summary>
    public static (int Width, int Height) SliceShape(int[] dims, int axis) => axis switch
    {
        0 => (dims[1], dims[2]),
        1 => (dims[0], dims[2]),
        2 => (dims[0], dims[1]),
        _ => throw new ArgumentOutOfRangeException(nameof(axis), "The axis is 0, 1 or 2."),
    };

    public static Slice2D Extract(Volume volume, int axis, int index, int channel = 0) =>
        Extract(volume.Channels[channel], volume.Dims, axis, index);

    public static Slice2D Extract(float[] data, int[] dims, int axis, int index)
    {
        var (w, h) = SliceShape(dims, axis);
        return new Slice2D(ExtractValues(data, dims, axis, index), w, h);
    }

    /// <summary>One slice of every channel, planar (C, H, W) as the model's input takes it.</summary>
    public static float[] ExtractPlanar(Volume volume, int axis, int index)
    {
        var (w, h) = SliceShape(volume.Dims, axis);
        var planar = new float[volume.ChannelCount * w * h];
        for (int c = 0; c < volume.ChannelCount; c++)
            ExtractValues(volume.Channels[c], volume.Dims, axis, index).CopyTo(planar, c * w * h);
        return planar;
    }

    /// <summary>The values of one slice of a 3D array of any element type (voxels, label bytes), x fastest.</summary>
    public static T[] ExtractValues<T>(T[] data, int[] dims, int axis, int index)
    {
        var (w, h) = Check(data.Length, dims, axis, index);
        var values = new T[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                values[x + w * y] = data[VoxelIndex(dims, axis, index, x, y)];
        return values;
    }

    /// <summary>Copies a slice-shaped mask into <paramref name="data"/> (a 3D channel) at the given slice.</summary>
    public static void Insert(float[] data, int[] dims, int axis, int index, ReadOnlySpan<float> mask) =>
        InsertValues(data, dims, axis, index, mask);

    /// <summary>Writes slice-shaped values into a 3D array of the same element type.</summary>
    public static void InsertValues<T>(T[] data, int[] dims, int axis, int index, ReadOnlySpan<T> values)
    {
        var (w, h) = Check(data.Length, dims, axis, index);
        if (values.Length != w * h)
            throw new ArgumentException($"The mask has {values.Length} pixels but a slice along axis {axis} has {w}x{h}.", nameof(values));
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                data[VoxelIndex(dims, axis, index, x, y)] = values[x + w * y];
    }

    /// <summary>As <see cref="Insert(float[], int[], int, int, ReadOnlySpan{float})"/> for a byte mask (0/1 or label values).</summary>
    public static void Insert(float[] data, int[] dims, int axis, int index, ReadOnlySpan<byte> mask)
    {
        var floats = new float[mask.Length];
        for (int i = 0; i < mask.Length; i++) floats[i] = mask[i];
        Insert(data, dims, axis, index, floats);
    }

    public static void Insert(Volume volume, int axis, int index, ReadOnlySpan<float> mask, int channel = 0) =>
        Insert(volume.Channels[channel], volume.Dims, axis, index, mask);

    /// <summary>Index in a 3D channel of pixel (x, y) of slice <paramref name="index"/> along <paramref name="axis"/>.</summary>
    public static int VoxelIndex(int[] dims, int axis, int index, int x, int y) => axis switch
    {
        0 => index + dims[0] * (x + dims[1] * y),
        1 => x + dims[0] * (index + dims[1] * y),
        _ => x + dims[0] * (y + dims[1] * index),
    };

    private static (int Width, int Height) Check(int length, int[] dims, int axis, int index)
    {
        if (dims.Length != 3) throw new ArgumentException("Dims must have three entries.", nameof(dims));
        if ((long)dims[0] * dims[1] * dims[2] != length)
            throw new ArgumentException($"The data holds {length} voxels, not {dims[0]}x{dims[1]}x{dims[2]}.", nameof(dims));
        var shape = SliceShape(dims, axis);
        if (index < 0 || index >= dims[axis])
            throw new ArgumentOutOfRangeException(nameof(index), $"Slice {index} is outside 0..{dims[axis] - 1} along axis {axis}.");
        return shape;
    }
}
