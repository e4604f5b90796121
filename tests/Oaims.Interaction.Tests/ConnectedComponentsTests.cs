namespace Oaims.Interaction.Tests;

public class ConnectedComponentsTests
{
    private static bool[] Mask(params string[] rows) => LabelMap.Parse(rows).Labels.Select(l => l != 0).ToArray();

    [Fact]
    public void Diagonal_neighbours_join_under_8_connectivity_but_not_under_4()
    {
        var mask = Mask(
            "1..",
            ".1.",
            "..1");

        Assert.Equal(1, ConnectedComponents.Find(mask, 3, 3, Connectivity.Eight).Count);
        Assert.Equal(3, ConnectedComponents.Find(mask, 3, 3, Connectivity.Four).Count);
    }

    [Fact]
    public void Components_are_numbered_by_their_first_pixel_and_know_their_size_and_box()
    {
        var mask = Mask(
            "..1..",
            "11...",
            "1..11",
            "...1.");

        var map = ConnectedComponents.Find(mask, 5, 4, Connectivity.Four);

        Assert.Equal(3, map.Count);
        Assert.Equal(new Component(1, 0, 1, 2, 2, 0, 2, 0), map[1]);
        Assert.Equal(new Component(2, 0, 3, 5, 0, 1, 1, 2), map[2]);
        Assert.Equal(new Component(3, 0, 3, 13, 3, 2, 4, 3), map[3]);
        Assert.Equal([0, 0, 1, 0, 0, 2, 2, 0, 0, 0, 2, 0, 0, 3, 3, 0, 0, 0, 3, 0], map.Ids);
    }

    [Fact]
    public void The_largest_component_wins_ties_by_coming_first()
    {
        var map = ConnectedComponents.Find(Mask("11.11", ".....", "111.."), 5, 3);

        Assert.Equal(3, map.Largest()!.Value.Id);
        Assert.Equal([3, 1, 2], map.BySize().Select(c => c.Id));
    }

    [Fact]
    public void Neighbouring_pixels_with_different_keys_form_separate_regions()
    {
        int[] keys = [1, 1, 2, -1,
                      1, 2, 2, -1];

        var map = ConnectedComponents.FindRegions(keys, 4, 2);

        Assert.Equal(2, map.Count);
        Assert.Equal([1, 1, 2, 0, 1, 2, 2, 0], map.Ids);
        Assert.Equal(2, map[2].Key);
    }

    [Theory]
    [InlineData(Connectivity.Four, 1)]
    [InlineData(Connectivity.Eight, 2)]
    [InlineData(Connectivity.Four, 3)]
    [InlineData(Connectivity.Eight, 4)]
    public void Agrees_with_brute_force_flooding_on_random_masks(Connectivity connectivity, int seed)
    {
        var rng = new Random(seed);
        for (int trial = 0; trial < 20; trial++)
        {
            int width = rng.Next(1, 14), height = rng.Next(1, 11);
            var mask = RandomMasks.Binary(rng, width, height, rng.NextDouble());

            var map = ConnectedComponents.Find(mask, width, height, connectivity);

            var expected = BruteForceRoots(mask, width, height, connectivity);
            for (int i = 0; i < mask.Length; i++)
                for (int j = 0; j < mask.Length; j++)
                    Assert.Equal(mask[i] && mask[j] && expected[i] == expected[j], map.Ids[i] != 0 && map.Ids[i] == map.Ids[j]);
            Assert.Equal(mask.Count(m => m), map.Components.Sum(c => c.Size));
            Assert.Equal(expected.Where(r => r >= 0).Distinct().Count(), map.Count);
        }
    }

    // Every pixel takes the smallest index among its connected neighbours until nothing changes.
    private static int[] BruteForceRoots(bool[] mask, int width, int height, Connectivity connectivity)
    {
        var root = mask.Select((m, i) => m ? i : -1).ToArray();
        bool changed = true;
        while (changed)
        {
            changed = false;
            for (int i = 0; i < root.Length; i++)
            {
                if (!mask[i]) continue;
                for (int j = 0; j < root.Length; j++)
                {
                    if (!mask[j]) continue;
                    int dx = Math.Abs(i % width - j % width), dy = Math.Abs(i / width - j / width);
                    bool adjacent = connectivity == Connectivity.Eight ? Math.Max(dx, dy) == 1 : dx + dy == 1;
                    if (adjacent && root[j] < root[i]) { root[i] = root[j]; changed = true; }
                }
            }
        }
        return root;
    }
}
