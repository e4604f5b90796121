using System.Diagnostics;

namespace Oaims.Interaction.Tests;

public class GuidanceMapsTests
{
    private static float At(float[] maps, int c, int x, int y, int width, int height) => maps[c * width * height + y * width + x];

    [Fact]
    public void A_single_click_is_one_at_the_clicked_pixel_and_the_map_peaks_there()
    {
        var maps = GuidanceMaps.Encode([new Click(20, 30, 1)], classes: 2, width: 64, height: 64);

        Assert.Equal(1f, At(maps, 1, 20, 30, 64, 64));
        Assert.Equal(1f, maps.AsSpan(64 * 64).ToArray().Max());
    }

    [Fact]
    public void Maps_are_laid_out_class_then_row_then_column()
    {
        var maps = GuidanceMaps.Encode([new Click(3, 1, 2)], classes: 3, width: 40, height: 35);

        Assert.Equal(1f, maps[2 * 35 * 40 + 1 * 40 + 3]);
        Assert.Equal(3 * 35 * 40, maps.Length);
    }

    [Fact]
    public void A_single_click_blurs_symmetrically_around_the_click()
    {
        var maps = GuidanceMaps.Encode([new Click(32, 32, 0)], classes: 1, width: 64, height: 64);

        for (int d = 1; d <= 16; d++)
        {
            float right = At(maps, 0, 32 + d, 32, 64, 64);
            Assert.Equal(right, At(maps, 0, 32 - d, 32, 64, 64));
            Assert.Equal(right, At(maps, 0, 32, 32 + d, 64, 64));
            Assert.Equal(right, At(maps, 0, 32, 32 - d, 64, 64));
            Assert.Equal(At(maps, 0, 32 + d, 32 + 3, 64, 64), At(maps, 0, 32 - d, 32 - 3, 64, 64));
        }
    }

    [Fact]
    public void Maps_with_clicks_are_min_max_scaled_to_the_unit_range()
    {
        var maps = GuidanceMaps.Encode([new Click(5, 5, 1), new Click(50, 40, 1), new Click(10, 12, 2)], classes: 3, width: 64, height: 48);

        for (int c = 1; c < 3; c++)
        {
            var plane = maps.AsSpan(c * 64 * 48, 64 * 48).ToArray();
            Assert.Equal(0f, plane.Min());
            Assert.Equal(1f, plane.Max());
        }
    }

    [Fact]
    public void A_class_without_clicks_gets_an_all_zero_map()
    {
        var maps = GuidanceMaps.Encode([new Click(5, 5, 1)], classes: 3, width: 16, height: 16);

        Assert.All(maps.AsSpan(0, 256).ToArray(), v => Assert.Equal(0f, v));
        Assert.All(maps.AsSpan(512, 256).ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Pixels_beyond_the_window_radius_of_every_click_stay_zero()
    {
        var maps = GuidanceMaps.Encode([new Click(10, 10, 0)], classes: 1, width: 64, height: 64);

        Assert.True(At(maps, 0, 25, 10, 64, 64) > 0f);
        Assert.Equal(0f, At(maps, 0, 26, 10, 64, 64));
        Assert.Equal(0f, At(maps, 0, 10, 26, 64, 64));
    }

    [Fact]
    public void Two_clicks_on_the_same_pixel_encode_like_one()
    {
        var once = GuidanceMaps.Encode([new Click(7, 9, 1)], 2, 30, 20);
        var twice = GuidanceMaps.Encode([new Click(7, 9, 1), new Click(7, 9, 1)], 2, 30, 20);

        Assert.Equal(once, twice);
    }

    [Theory]
    [InlineData(40, 33, 1)]
    [InlineData(12, 9, 2)] // smaller than the window: every pixel is blurred, so the minimum is above zero
    [InlineData(50, 45, 3)]
    public void Matches_a_brute_force_zero_padded_2D_convolution(int width, int height, int seed)
    {
        var rng = new Random(seed);
        var clicks = Enumerable.Range(0, 7).Select(_ => new Click(rng.Next(width), rng.Next(height), rng.Next(3))).ToList();

        var maps = GuidanceMaps.Encode(clicks, 3, width, height);

        var expected = BruteForce(clicks, 3, width, height);
        for (int i = 0; i < maps.Length; i++) Assert.Equal(expected[i], maps[i], 1e-5);
    }

    [Fact]
    public void Encodes_ten_clicks_on_three_256x256_classes_in_well_under_5_ms()
    {
        var rng = new Random(7);
        var clicks = Enumerable.Range(0, 10).Select(_ => new Click(rng.Next(256), rng.Next(256), rng.Next(3))).ToList();
        var buffer = new float[3 * 256 * 256];
        for (int i = 0; i < 20; i++) GuidanceMaps.EncodeInto(buffer, clicks, 3, 256, 256);

        var times = new List<double>();
        for (int i = 0; i < 31; i++)
        {
            var watch = Stopwatch.StartNew();
            GuidanceMaps.EncodeInto(buffer, clicks, 3, 256, 256);
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        Assert.True(times[15] < 5.0, $"median {times[15]:F3} ms");
    }

    [Fact]
    public void A_click_outside_the_slice_or_of_an_unknown_class_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GuidanceMaps.Encode([new Click(16, 0, 0)], 2, 16, 16));
        Assert.Throws<ArgumentOutOfRangeException>(() => GuidanceMaps.Encode([new Click(0, 0, 2)], 2, 16, 16));
    }

    private static double[] BruteForce(IReadOnlyList<Click> clicks, int classes, int width, int height)
    {
        const int r = 15;
        var kernel = new double[2 * r + 1, 2 * r + 1];
        double sum = 0;
        for (int dy = -r; dy <= r; dy++)
            for (int dx = -r; dx <= r; dx++)
                sum += kernel[dy + r, dx + r] = Math.Exp(-(dx * dx + dy * dy) / 50.0);

        var result = new double[classes * width * height];
        for (int c = 0; c < classes; c++)
        {
            var impulses = new double[width * height];
            foreach (var click in clicks.Where(k => k.Class == c)) impulses[click.X + width * click.Y] = 1;
            if (impulses.All(v => v == 0)) continue;

            var blurred = new double[width * height];
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    double v = 0;
                    for (int dy = -r; dy <= r; dy++)
                        for (int dx = -r; dx <= r; dx++)
                        {
                            int sx = x + dx, sy = y + dy;
                            if (sx >= 0 && sy >= 0 && sx < width && sy < height) v += kernel[dy + r, dx + r] / sum * impulses[sx + width * sy];
                        }
                    blurred[x + width * y] = v;
                }

            double min = blurred.Min(), max = blurred.Max();
            for (int i = 0; i < blurred.Length; i++) result[c * width * height + i] = (blurred[i] - min) / (max - min);
        }
        return result;
    }
}
