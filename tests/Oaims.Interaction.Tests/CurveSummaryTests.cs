namespace Oaims.Interaction.Tests;

public class CurveSummaryTests
{
    [Fact]
    public void Averages_dice_at_each_click_count_and_noc_at_each_threshold_over_images()
    {
        IReadOnlyList<double>[] curves =
        [
            [0.70, 0.80, 0.90, 0.90, 0.95],
            [0.90, 0.90, 0.90, 0.90, 0.90],
        ];

        var summary = CurveSummary.Of(curves, maxClicks: 5, diceAt: [1, 5], thresholds: [0.80, 0.95]);

        Assert.Equal(2, summary.Images);
        Assert.Equal(0.80, summary.MeanDiceAt[1], 12);
        Assert.Equal(0.925, summary.MeanDiceAt[5], 12);
        Assert.Equal(1.5, summary.MeanNoCAt[0.80], 12);  // (2 + 1) / 2
        Assert.Equal(5.5, summary.MeanNoCAt[0.95], 12);  // (5 + 6) / 2
    }

    [Fact]
    public void A_curve_that_stopped_early_keeps_its_last_dice_for_later_clicks()
    {
        IReadOnlyList<double>[] curves = [[0.6, 1.0]];

        var summary = CurveSummary.Of(curves);

        Assert.Equal(1.0, summary.MeanDiceAt[10]);
        Assert.Equal(2.0, summary.MeanNoCAt[0.90]);
    }

    [Fact]
    public void Per_structure_summaries_come_from_dice_recorded_per_click()
    {
        IReadOnlyList<double[]>[] curves = [[[0.9, 0.5], [0.95, 0.85]]];

        var summaries = CurveSummary.PerStructure(curves, Structures.Fundus, maxClicks: 2, diceAt: [1, 2]);

        Assert.Equal(0.9, summaries["disc"].MeanDiceAt[1]);
        Assert.Equal(0.85, summaries["cup"].MeanDiceAt[2]);
        Assert.Equal(2.0, summaries["cup"].MeanNoCAt[0.80]);
        Assert.Equal(3.0, summaries["cup"].MeanNoCAt[0.90]);
    }
}
