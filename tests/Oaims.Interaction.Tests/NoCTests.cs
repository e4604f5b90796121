namespace Oaims.Interaction.Tests;

public class NoCTests
{
    private static readonly double[] Curve = [0.5, 0.82, 0.86, 0.95];

    [Theory]
    [InlineData(0.80, 2)]
    [InlineData(0.85, 3)]
    [InlineData(0.90, 4)]
    [InlineData(0.50, 1)]
    public void NoC_is_the_one_based_click_that_first_reaches_the_threshold(double threshold, int expected)
    {
        Assert.Equal(expected, NoC.Of(Curve, threshold));
    }

    [Fact]
    public void Reaching_the_threshold_exactly_counts()
    {
        Assert.Equal(2, NoC.Of([0.7, 0.8], 0.8));
    }

    [Fact]
    public void A_threshold_never_reached_costs_one_more_than_the_click_budget()
    {
        var tenClicks = Enumerable.Repeat(0.7, 10).ToArray();

        Assert.Equal(11, NoC.Of(tenClicks, 0.9));
        Assert.Equal(5, NoC.Of(Curve, 0.99, maxClicks: 4));
        Assert.Equal(11, NoC.Of(Curve, 0.99, maxClicks: 10));
    }

    [Fact]
    public void Clicks_beyond_the_budget_do_not_count()
    {
        Assert.Equal(3, NoC.Of(Curve, 0.90, maxClicks: 2));
    }
}
