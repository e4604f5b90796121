namespace Oaims.Interaction.Tests;

/// <summary>Seeded random masks for the brute-force comparisons: blobby rather than salt-and-pepper, like real labels.</summary>
internal static class RandomMasks
{
    public static bool[] Binary(Random rng, int width, int height, double fill = 0.5)
    {
        var mask = new bool[width * height];
        for (int i = 0; i < mask.Length; i++) mask[i] = rng.NextDouble() < fill;
        return mask;
    }

    /// <summary>Labels 0..classes-1 painted as a few random rectangles over a background.</summary>
    public static int[] Rectangles(Random rng, int width, int height, int classes, int rectangles)
    {
        var labels = new int[width * height];
        PaintRectangles(rng, labels, width, height, 1, classes, rectangles);
        return labels;
    }

    public static void PaintRectangles(Random rng, int[] labels, int width, int height, int depth, int classes, int rectangles)
    {
        for (int r = 0; r < rectangles; r++)
        {
            int x0 = rng.Next(width), y0 = rng.Next(height), z0 = rng.Next(depth);
            int x1 = Math.Min(width - 1, x0 + rng.Next(width / 2 + 1));
            int y1 = Math.Min(height - 1, y0 + rng.Next(height / 2 + 1));
            int z1 = Math.Min(depth - 1, z0 + rng.Next(depth / 2 + 1));
            int label = rng.Next(classes);
            for (int z = z0; z <= z1; z++)
                for (int y = y0; y <= y1; y++)
                    for (int x = x0; x <= x1; x++)
                        labels[x + width * (y + height * z)] = label;
        }
    }
}
