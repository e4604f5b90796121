namespace Oaims.Interaction.Tests;

public class DistanceTransformTests
{
    [Fact]
    public void Outside_pixels_are_at_distance_zero_and_inside_pixels_count_to_the_nearest_outside_one()
    {
        var inside = LabelMap.Parse(
            "11111",
            "11111",
            "11.11").Labels.Select(l => l != 0).ToArray();

        var squared = DistanceTransform.Squared(inside, 5, 3, imageEdgeIsOutside: false);

        Assert.Equal([8, 5, 4, 5, 8,
                      5, 2, 1, 2, 5,
                      4, 1, 0, 1, 4], squared);
    }

    [Fact]
    public void With_the_image_edge_as_outside_a_full_square_is_deepest_in_its_centre()
    {
        var squared = DistanceTransform.Squared(Enumerable.Repeat(true, 25).ToArray(), 5, 5);

        Assert.Equal(9, squared[12]);
        Assert.Equal(1, squared[0]);
        Assert.Equal(4, squared[6]);
    }

    [Fact]
    public void A_full_mask_is_unreachable_when_the_image_edge_is_not_outside()
    {
        var squared = DistanceTransform.Squared(Enumerable.Repeat(true, 6).ToArray(), 3, 2, imageEdgeIsOutside: false);

        Assert.All(squared, d => Assert.Equal(DistanceTransform.Unreachable, d));
        Assert.All(DistanceTransform.Euclidean(Enumerable.Repeat(true, 6).ToArray(), 3, 2, false), d => Assert.True(float.IsPositiveInfinity(d)));
    }

    [Fact]
    public void The_euclidean_distance_is_the_square_root_of_the_squared_one()
    {
        var inside = LabelMap.Parse("111", "111", "11.").Labels.Select(l => l != 0).ToArray();

        var distance = DistanceTransform.Euclidean(inside, 3, 3, imageEdgeIsOutside: false);

        Assert.Equal(MathF.Sqrt(8f), distance[0]);
        Assert.Equal(MathF.Sqrt(5f), distance[1]);
        Assert.Equal(0f, distance[8]);
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 2)]
    [InlineData(true, 3)]
    [InlineData(false, 4)]
    public void Agrees_with_brute_force_on_random_masks(bool imageEdgeIsOutside, int seed)
    {
        var rng = new Random(seed);
        for (int trial = 0; trial < 30; trial++)
        {
            int width = rng.Next(1, 20), height = rng.Next(1, 16);
            var inside = RandomMasks.Binary(rng, width, height, 0.5 + 0.5 * rng.NextDouble());

            var squared = DistanceTransform.Squared(inside, width, height, imageEdgeIsOutside);

            Assert.Equal(BruteForce(inside, width, height, imageEdgeIsOutside), squared);
        }
    }

    private static int[] BruteForce(bool[] inside, int width, int height, bool imageEdgeIsOutside)
    {
        // Outside points: the mask's outside pixels, plus the one-pixel frame around the image when the edge counts.
        var outside = new List<(int X, int Y)>();
        for (int y = -1; y <= height; y++)
            for (int x = -1; x <= width; x++)
            {
                bool inImage = x >= 0 && y >= 0 && x < width && y < height;
                if (inImage ? !inside[x + width * y] : imageEdgeIsOutside) outside.Add((x, y));
            }

        var result = new int[inside.Length];
        for (int i = 0; i < inside.Length; i++)
        {
            if (!inside[i]) continue;
            int px = i % width, py = i / width;
            result[i] = outside.Count == 0
                ? DistanceTransform.Unreachable
                : outside.Min(o => (o.X - px) * (o.X - px) + (o.Y - py) * (o.Y - py));
        }
        return result;
    }
}
