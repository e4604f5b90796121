namespace Oaims.Interaction;

/// <summary>
/// Where the simulated user of the volume protocol clicks next: the largest 6-connected 3D region where the label volume
/// differs from the truth, and within it the slice (along axis 2) holding most of its voxels.
/// </summary>
public static class VolumeErrors
{
    /// <summary>The voxels (indices, x fastest) of the largest error region, or an empty list when the labels are right.</summary>
    public static IReadOnlyList<int> LargestRegion(ReadOnlySpan<byte> truth, ReadOnlySpan<byte> labels, VolumeShape shape)
    {
        var seen = new bool[truth.Length];
        var largest = new List<int>();
        var queue = new Queue<int>();
        for (int start = 0; start < truth.Length; start++)
        {
            if (seen[start] || truth[start] == labels[start]) continue;
            // One region shares one (truth, label) pair, as the 2D error regions of the simulated user do.
            byte t = truth[start], p = labels[start];
            var region = new List<int>();
            seen[start] = true;
            queue.Enqueue(start);
            while (queue.Count > 0)
            {
                int v = queue.Dequeue();
                region.Add(v);
                int x = v % shape.Width, y = v / shape.Width % shape.Height, z = v / (shape.Width * shape.Height);
                foreach (var (dx, dy, dz) in Neighbours)
                {
                    int nx = x + dx, ny = y + dy, nz = z + dz;
                    if ((uint)nx >= (uint)shape.Width || (uint)ny >= (uint)shape.Height || (uint)nz >= (uint)shape.Depth) continue;
                    int n = shape.IndexOf(nx, ny, nz);
                    if (seen[n] || truth[n] != t || labels[n] != p) continue;
                    seen[n] = true;
                    queue.Enqueue(n);
                }
            }
            if (region.Count > largest.Count) largest = region;
        }
        return largest;
    }

    /// <summary>The z (axis-2 slice) holding most voxels of a region (the lowest on a tie).</summary>
    public static int FullestSlice(IReadOnlyList<int> region, VolumeShape shape) =>
        region.GroupBy(v => v / (shape.Width * shape.Height)).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;

    static readonly (int, int, int)[] Neighbours = [(1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1)];
}
