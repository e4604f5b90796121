using System.Numerics;

namespace Oaims.Interaction;

/// <summary>Sends a whole label volume as a stream of box deltas small enough for one message each (GetMask).</summary>
/// <remarks>
/// Chunks are slabs of whole slices when a slice fits the budget, else slabs of rows of one slice, else runs of one row,
/// in volume order. Decoding applies them to a zeroed volume, so the chunks alone rebuild it.
/// </remarks>
public static class MaskChunks
{
    public const int DefaultVoxelsPerChunk = 1 << 20;

    /// <summary>The boxes that tile the volume, each of at most <paramref name="maxVoxels"/> voxels, in volume order.</summary>
    public static IEnumerable<VoxelBox> Boxes(VolumeShape shape, int maxVoxels = DefaultVoxelsPerChunk)
    {
        shape.EnsureValid();
        ArgumentOutOfRangeException.ThrowIfLessThan(maxVoxels, 1);
        long slice = (long)shape.Width * shape.Height;
        if (slice <= maxVoxels)
        {
            int slices = (int)Math.Min(shape.Depth, maxVoxels / slice);
            for (int z = 0; z < shape.Depth; z += slices)
                yield return new VoxelBox(0, 0, z, shape.Width - 1, shape.Height - 1, Math.Min(shape.Depth, z + slices) - 1);
        }
        else if (shape.Width <= maxVoxels)
        {
            int rows = maxVoxels / shape.Width;
            for (int z = 0; z < shape.Depth; z++)
                for (int y = 0; y < shape.Height; y += rows)
                    yield return new VoxelBox(0, y, z, shape.Width - 1, Math.Min(shape.Height, y + rows) - 1, z);
        }
        else
        {
            for (int z = 0; z < shape.Depth; z++)
                for (int y = 0; y < shape.Height; y++)
                    for (int x = 0; x < shape.Width; x += maxVoxels)
                        yield return new VoxelBox(x, y, z, Math.Min(shape.Width, x + maxVoxels) - 1, y, z);
        }
    }

    /// <summary>The whole volume as chunks, produced lazily so a large mask is never held compressed all at once.</summary>
    public static IEnumerable<MaskDelta> Encode<T>(ReadOnlyMemory<T> labels, VolumeShape shape, int maxVoxels = DefaultVoxelsPerChunk)
        where T : unmanaged, IBinaryInteger<T>
    {
        shape.EnsureHolds(labels.Length, nameof(labels));
        foreach (var box in Boxes(shape, maxVoxels))
            yield return MaskDelta.OfBox(labels.Span, shape, box);
    }

    /// <summary>Rebuilds a volume from its chunks.</summary>
    public static T[] Decode<T>(IEnumerable<MaskDelta> chunks, VolumeShape shape) where T : unmanaged, IBinaryInteger<T>
    {
        shape.EnsureValid();
        var labels = new T[checked((int)shape.VoxelCount)];
        foreach (var chunk in chunks) chunk.ApplyTo<T>(labels, shape);
        return labels;
    }
}
