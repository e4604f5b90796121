namespace Oaims.Interaction.Tests;

public class ClickCentredGaussianTests
{
    private static readonly float[] Map = ClickCentredGaussian.Map(new Click(15, 15, 1), 31, 31);

    private static float At(int x, int y) => Map[x + 31 * y];

    [Fact]
    public void The_clicked_pixel_weighs_one() => Assert.Equal(1f, At(15, 15));

    [Fact]
    public void A_pixel_one_step_away_weighs_exp_of_minus_one_over_eighteen()
    {
        // sigma 3: exp(-1 / (2 * 9)) = 0.945959468...
        Assert.Equal(0.945959468, At(16, 15), 1e-6);
        Assert.Equal(0.945959468, At(15, 14), 1e-6);
    }

    [Fact]
    public void A_pixel_at_the_radius_still_counts_and_one_beyond_it_does_not()
    {
        Assert.Equal((float)Math.Exp(-100.0 / 18), At(25, 15), 6); // d = 10
        Assert.Equal((float)Math.Exp(-100.0 / 18), At(21, 23), 6); // d^2 = 36 + 64 = 100
        Assert.Equal(0f, At(26, 15));                                // d = 11
        Assert.Equal(0f, At(23, 23));                                // d^2 = 128: the window is round, not square
    }

    [Fact]
    public void The_sparse_weights_are_the_non_zero_entries_of_the_dense_map()
    {
        var sparse = ClickCentredGaussian.Weights(new Click(15, 15, 1), 31, 31);

        Assert.Equal(Map.Count(w => w > 0), sparse.Length);
        Assert.All(sparse, p => Assert.Equal(Map[p.Index], p.Weight));
        Assert.Equal(sparse.OrderBy(p => p.Index), sparse);
    }

    [Fact]
    public void A_click_in_a_corner_keeps_only_the_quarter_disc_inside_the_slice()
    {
        var sparse = ClickCentredGaussian.Weights(new Click(0, 0, 1), 40, 40);

        int quarter = 0;
        for (int y = 0; y <= 10; y++)
            for (int x = 0; x <= 10; x++)
                if (x * x + y * y <= 100) quarter++;
        Assert.Equal(quarter, sparse.Length);
    }

    [Fact]
    public void The_map_of_several_clicks_is_the_sum_of_their_maps()
    {
        var a = new Click(5, 6, 1);
        var b = new Click(9, 8, 0);

        var both = ClickCentredGaussian.Map([a, b], 20, 16);

        var first = ClickCentredGaussian.Map(a, 20, 16);
        var second = ClickCentredGaussian.Map(b, 20, 16);
        for (int i = 0; i < both.Length; i++) Assert.Equal(first[i] + second[i], both[i], 6);
    }
}
