namespace Oaims.Interaction.Tests;

public class PropagationSeedsTests
{
    [Fact]
    public void Each_component_of_the_previous_mask_is_seeded_at_its_centre_largest_first()
    {
        var previous = LabelMap.Parse(
            "111.......",
            "111.......",
            "111.......",
            "111.......",
            "....11111.",
            "....11111.",
            "....11111.",
            "....11111.",
            "....11111.",
            "..........");

        var seeds = PropagationSeeds.Of(previous);

        Assert.Equal([new Click(6, 6, 1), new Click(1, 1, 1)], seeds);
    }

    [Fact]
    public void Specks_under_the_minimum_area_are_not_seeded()
    {
        var previous = LabelMap.Parse(
            "11........",
            "11........",
            "..........");

        Assert.Empty(PropagationSeeds.Of(previous));
    }

    [Fact]
    public void Only_the_predicted_components_holding_a_seed_are_kept()
    {
        var prediction = LabelMap.Parse(
            "11....",
            "11..11",
            "....11");

        var kept = PropagationSeeds.KeepSeededComponents(prediction, [new Click(5, 2, 1)]);

        Assert.Equal(LabelMap.Parse(
            "......",
            "....11",
            "....11").Labels, kept.Labels);
    }
}
