namespace Oaims.Interaction.Tests;

public class SimulatedUserTests
{
    [Fact]
    public void The_first_click_is_the_centre_of_the_largest_foreground_component()
    {
        var truth = LabelMap.Parse(
            "11........",
            "11........",
            "....11111.",
            "....11111.",
            "....11111.",
            "....11111.",
            "....11111.",
            "..........");

        Assert.Equal(new Click(6, 4, 1), SimulatedUser.FirstClick(truth));
    }

    [Fact]
    public void Equally_deep_pixels_resolve_to_the_first_in_row_major_order()
    {
        var truth = LabelMap.Parse(
            "......",
            ".1111.",
            ".1111.",
            "......");

        Assert.Equal(new Click(1, 1, 1), SimulatedUser.FirstClick(truth));
    }

    [Fact]
    public void The_image_edge_counts_as_boundary_so_the_first_click_keeps_off_it()
    {
        var truth = LabelMap.Parse(
            "11111",
            "11111",
            "11111",
            "11111",
            "11111");

        Assert.Equal(new Click(2, 2, 1), SimulatedUser.FirstClick(truth));
    }

    [Fact]
    public void With_several_classes_the_first_click_goes_to_the_largest_component_of_any_foreground_class_and_carries_its_class()
    {
        var truth = LabelMap.Parse(
            "1112222",
            "1112222",
            "1112222",
            "...2222");

        Assert.Equal(new Click(4, 1, 2), SimulatedUser.FirstClick(truth));
    }

    [Fact]
    public void There_is_no_first_click_without_foreground()
    {
        Assert.Null(SimulatedUser.FirstClick(new LabelMap(4, 3)));
        Assert.Null(SimulatedUser.SampleFirstClick(new LabelMap(4, 3), new Random(1)));
    }

    [Fact]
    public void A_missed_part_of_the_object_gets_a_positive_click_at_its_centre()
    {
        var truth = LabelMap.Parse(
            "........",
            ".11111..",
            ".11111..",
            ".11111..",
            ".11111..",
            ".11111..",
            "........");
        var prediction = LabelMap.Parse(
            "........",
            ".11.....",
            ".11.....",
            ".11.....",
            ".11.....",
            ".11.....",
            "........");

        var click = SimulatedUser.NextClick(truth, prediction);

        Assert.Equal(new Click(4, 2, 1), click);
        Assert.True(click!.Value.IsPositive);
    }

    [Fact]
    public void A_false_positive_larger_than_every_miss_gets_a_negative_click()
    {
        var truth = LabelMap.Parse(
            ".......1",
            ".11.....",
            ".11.....",
            "........",
            "........",
            "........",
            "........");
        var prediction = LabelMap.Parse(
            "........",
            ".11.....",
            ".11.....",
            "........",
            "....111.",
            "....111.",
            "....111.");

        var click = SimulatedUser.NextClick(truth, prediction);

        Assert.Equal(new Click(5, 5, 0), click);
        Assert.False(click!.Value.IsPositive);
    }

    [Fact]
    public void Error_regions_are_split_by_class_pair_and_the_click_carries_the_true_class()
    {
        var truth = LabelMap.Parse(
            "222211",
            "222211",
            "222211",
            "......");
        var prediction = LabelMap.Parse(
            "111100",
            "111100",
            "111100",
            "......");

        Assert.Equal(2, SimulatedUser.ErrorRegions(truth, prediction).Count);
        Assert.Equal(new Click(1, 1, 2), SimulatedUser.NextClick(truth, prediction));
    }

    [Fact]
    public void There_is_no_next_click_when_the_prediction_is_perfect()
    {
        var truth = LabelMap.Parse("..12", ".122");

        Assert.Null(SimulatedUser.NextClick(truth, truth.Clone()));
        Assert.Empty(SimulatedUser.CorrectionClicks(truth, truth.Clone(), 10));
    }

    [Fact]
    public void Correction_clicks_take_one_centre_per_error_region_largest_first_up_to_the_limit()
    {
        var truth = LabelMap.Parse(
            "111.......",
            "111.....1.",
            "111.......",
            "..........",
            "......22..",
            "......22..");
        var prediction = new LabelMap(10, 6);

        Assert.Equal([new Click(1, 1, 1), new Click(6, 4, 2)], SimulatedUser.CorrectionClicks(truth, prediction, 2));
        Assert.Equal([new Click(1, 1, 1), new Click(6, 4, 2), new Click(8, 1, 1)], SimulatedUser.CorrectionClicks(truth, prediction, 10));
    }

    [Fact]
    public void Clicking_the_next_region_and_fixing_it_each_time_ends_with_no_errors()
    {
        var rng = new Random(5);
        var truth = new LabelMap(30, 24, RandomMasks.Rectangles(rng, 30, 24, 3, 8));
        var prediction = new LabelMap(30, 24, RandomMasks.Rectangles(rng, 30, 24, 3, 8));
        var regionsBefore = SimulatedUser.ErrorRegions(truth, prediction).Count;

        int clicks = 0;
        while (SimulatedUser.NextClick(truth, prediction) is Click click)
        {
            Assert.NotEqual(truth[click.X, click.Y], prediction[click.X, click.Y]);
            Assert.Equal(truth[click.X, click.Y], click.Class);
            // A perfect model: the clicked error region becomes right.
            var regions = SimulatedUser.ErrorRegions(truth, prediction);
            int id = regions.Ids[click.IndexIn(30)];
            for (int i = 0; i < truth.Count; i++)
                if (regions.Ids[i] == id) prediction.Labels[i] = truth.Labels[i];
            clicks++;
        }

        Assert.Equal(regionsBefore, clicks);
    }

    [Fact]
    public void Sampled_correction_clicks_land_inside_distinct_regions_largest_first_with_the_true_class()
    {
        var rng = new Random(11);
        var truth = new LabelMap(40, 30, RandomMasks.Rectangles(rng, 40, 30, 3, 10));
        var prediction = new LabelMap(40, 30, RandomMasks.Rectangles(rng, 40, 30, 3, 10));
        var regions = SimulatedUser.ErrorRegions(truth, prediction);

        var clicks = SimulatedUser.SampleCorrectionClicks(truth, prediction, 6, new Random(3));

        Assert.Equal(Math.Min(6, regions.Count), clicks.Count);
        var sizes = regions.BySize().Take(6).ToArray();
        for (int k = 0; k < clicks.Count; k++)
        {
            int id = regions.Ids[clicks[k].IndexIn(40)];
            Assert.Equal(sizes[k].Id, id);
            Assert.Equal(truth[clicks[k].X, clicks[k].Y], clicks[k].Class);
        }
    }

    [Fact]
    public void Sampled_clicks_stay_at_least_half_the_maximum_depth_inside_their_region()
    {
        var truth = LabelMap.Parse(
            "..........",
            ".11111111.",
            ".11111111.",
            ".11111111.",
            ".11111111.",
            ".11111111.",
            "..........");
        var depth = DistanceTransform.Squared(truth.MaskOf(1), 10, 7);
        int deepest = depth.Max();

        for (int seed = 0; seed < 50; seed++)
        {
            var click = SimulatedUser.SampleFirstClick(truth, new Random(seed))!.Value;
            Assert.Equal(1, click.Class);
            Assert.True(4 * depth[click.IndexIn(10)] >= deepest, $"click {click} is too close to the border");
        }
    }

    [Fact]
    public void Sampling_is_deterministic_for_a_seed()
    {
        var rng = new Random(8);
        var truth = new LabelMap(32, 32, RandomMasks.Rectangles(rng, 32, 32, 2, 6));
        var prediction = new LabelMap(32, 32, RandomMasks.Rectangles(rng, 32, 32, 2, 6));

        Assert.Equal(
            SimulatedUser.SampleCorrectionClicks(truth, prediction, 10, new Random(42)),
            SimulatedUser.SampleCorrectionClicks(truth, prediction, 10, new Random(42)));
        Assert.Equal(SimulatedUser.SampleFirstClick(truth, new Random(42)), SimulatedUser.SampleFirstClick(truth, new Random(42)));
    }
}
