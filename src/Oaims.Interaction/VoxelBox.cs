using System.Numerics;

namespace Oaims.Interaction;

/// <summary>A box of voxels with inclusive bounds on each axis; for a 2D map MinZ = MaxZ = 0.</summary>
public readonly record struct VoxelBox(int MinX, int MinY, int MinZ, int MaxX, int MaxY, int MaxZ)
{
    public int Width => MaxX - MinX + 1;
    public int Height => MaxY - MinY + 1;
    public int Depth => MaxZ - MinZ + 1;
    public long VoxelCount => (long)Width * Height * Depth;

    /// <summary>The smallest box holding both boxes.</summary>
    public VoxelBox Union(VoxelBox other) => new(Math.Min(MinX, other.MinX), Math.Min(MinY, other.MinY), Math.Min(MinZ, other.MinZ),
                                                 Math.Max(MaxX, other.MaxX), Math.Max(MaxY, other.MaxY), Math.Max(MaxZ, other.MaxZ));

    /// <summary>The smallest box holding every voxel whose label differs between the two volumes, or null when none does.</summary>
    /// <param name="within">Where to look (default: everywhere); a caller that knows which slice changed saves scanning the rest.</param>
    public static VoxelBox? Changed<T>(ReadOnlySpan<T> previous, ReadOnlySpan<T> next, VolumeShape shape, VoxelBox? within = null)
        where T : unmanaged, IBinaryInteger<T>
    {
        shape.EnsureHolds(previous.Length, nameof(previous));
        shape.EnsureHolds(next.Length, nameof(next));
        var area = within ?? shape.All;
        shape.EnsureContains(area, nameof(within));

        int minX = int.MaxValue, minY = int.MaxValue, minZ = int.MaxValue, maxX = -1, maxY = -1, maxZ = -1;
        for (int z = area.MinZ; z <= area.MaxZ; z++)
            for (int y = area.MinY; y <= area.MaxY; y++)
            {
                int start = shape.IndexOf(area.MinX, y, z);
                var a = previous.Slice(start, area.Width);
                var b = next.Slice(start, area.Width);
                // Most rows are unchanged; the vectorised prefix comparison skips them quickly.
                int first = a.CommonPrefixLength(b);
                if (first == a.Length) continue;
                int last = a.Length - 1;
                while (a[last] == b[last]) last--;
                minX = Math.Min(minX, area.MinX + first); maxX = Math.Max(maxX, area.MinX + last);
                minY = Math.Min(minY, y); maxY = Math.Max(maxY, y);
                minZ = Math.Min(minZ, z); maxZ = Math.Max(maxZ, z);
            }
        return maxX < 0 ? null : new VoxelBox(minX, minY, minZ, maxX, maxY, maxZ);
    }
}
