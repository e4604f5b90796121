namespace Oaims.Interaction.Tests;

public class DiceTests
{
    private static readonly Structure Lesion = Structures.Brain[0];

    [Fact]
    public void Dice_is_twice_the_overlap_over_the_total_size()
    {
        var truth = LabelMap.Parse("1111....");
        var prediction = LabelMap.Parse("..1111..");

        Assert.Equal(0.5, Dice.Of(truth, prediction, Lesion)); // 2 * 2 / (4 + 4)
    }

    [Fact]
    public void Dice_is_one_when_the_structure_is_absent_from_both()
    {
        Assert.Equal(1.0, Dice.Of(LabelMap.Parse("...."), LabelMap.Parse("...."), Lesion));
    }

    [Fact]
    public void Dice_is_zero_when_only_one_side_has_the_structure()
    {
        Assert.Equal(0.0, Dice.Of(LabelMap.Parse("..1."), LabelMap.Parse("...."), Lesion));
        Assert.Equal(0.0, Dice.Of(LabelMap.Parse("...."), LabelMap.Parse(".1.."), Lesion));
    }

    [Fact]
    public void The_fundus_disc_is_rim_plus_cup_and_the_cup_is_scored_alone()
    {
        var truth = LabelMap.Parse("1122..");
        var prediction = LabelMap.Parse("1222..");

        var dice = Dice.PerStructure(truth, prediction, Structures.Fundus);

        Assert.Equal(1.0, dice[0]);       // disc: the same four pixels
        Assert.Equal(0.8, dice[1], 12);   // cup: 2 * 2 / (2 + 3)
    }
}
