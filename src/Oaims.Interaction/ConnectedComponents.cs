namespace Oaims.Interaction;

/// <summary>Labels the connected components of 2D masks (4- or 8-connectivity).</summary>
public static class ConnectedComponents
{
    /// <summary>The components of the true pixels of a row-major mask.</summary>
    public static ComponentMap Find(ReadOnlySpan<bool> mask, int width, int height, Connectivity connectivity = Connectivity.Eight)
    {
        EnsureSize(mask.Length, width, height);
        var keys = new int[mask.Length];
        for (int i = 0; i < keys.Length; i++) keys[i] = mask[i] ? 0 : -1;
        return FindRegions(keys, width, height, connectivity);
    }

    /// <summary>
    /// The components of a row-major key map: neighbouring pixels join when their keys are equal;
    /// pixels with a negative key belong to no component.
    /// </summary>
    /// <remarks>
    /// One pass labels many masks at once: e.g. key = true * C + predicted for error pixels gives the error regions
    /// of every (true, predicted) class pair, and neighbouring regions of different pairs stay apart.
    /// </remarks>
    public static ComponentMap FindRegions(ReadOnlySpan<int> keys, int width, int height, Connectivity connectivity = Connectivity.Eight)
    {
        EnsureSize(keys.Length, width, height);
        if (connectivity is not (Connectivity.Four or Connectivity.Eight))
            throw new ArgumentOutOfRangeException(nameof(connectivity), $"Unknown connectivity {connectivity}.");

        var ids = new int[keys.Length];
        var components = new List<Component>();
        var stack = new Stack<int>();
        bool diagonals = connectivity == Connectivity.Eight;

        for (int start = 0; start < keys.Length; start++)
        {
            if (keys[start] < 0 || ids[start] != 0) continue;
            int id = components.Count + 1, key = keys[start];
            int size = 0, minX = width, minY = height, maxX = -1, maxY = -1;
            ids[start] = id;
            stack.Push(start);
            while (stack.Count > 0)
            {
                int p = stack.Pop();
                int px = p % width, py = p / width;
                size++;
                minX = Math.Min(minX, px); maxX = Math.Max(maxX, px);
                minY = Math.Min(minY, py); maxY = Math.Max(maxY, py);
                for (int dy = -1; dy <= 1; dy++)
                {
                    int ny = py + dy;
                    if ((uint)ny >= (uint)height) continue;
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        if (dx == 0 && dy == 0) continue;
                        if (!diagonals && dx != 0 && dy != 0) continue;
                        int nx = px + dx;
                        if ((uint)nx >= (uint)width) continue;
                        int n = nx + width * ny;
                        if (ids[n] != 0 || keys[n] != key) continue;
                        ids[n] = id;
                        stack.Push(n);
                    }
                }
            }
            components.Add(new Component(id, key, size, start, minX, minY, maxX, maxY));
        }

        return new ComponentMap(width, height, ids, components);
    }

    private static void EnsureSize(int length, int width, int height)
    {
        if (width <= 0 || height <= 0 || length != width * height)
            throw new ArgumentException($"A {width}x{height} mask needs {width * height} pixels, got {length}.");
    }
}
