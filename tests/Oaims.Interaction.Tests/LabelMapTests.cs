namespace Oaims.Interaction.Tests;

public class LabelMapTests
{
    [Fact]
    public void Labels_are_row_major_with_x_as_the_column()
    {
        var map = LabelMap.Parse(
            "1.2",
            "..3");

        Assert.Equal([1, 0, 2, 0, 0, 3], map.Labels);
        Assert.Equal(3, map[2, 1]);
        Assert.Equal(5, new Click(2, 1, 3).IndexIn(map.Width));
    }

    [Fact]
    public void Labels_of_the_wrong_count_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new LabelMap(3, 2, new int[5]));
        Assert.Throws<ArgumentException>(() => LabelMap.FromBytes(3, 2, new byte[7]));
    }

    [Fact]
    public void Truth_and_prediction_of_different_sizes_are_refused()
    {
        Assert.Throws<ArgumentException>(() => SimulatedUser.NextClick(new LabelMap(3, 2), new LabelMap(2, 3)));
        Assert.Throws<ArgumentException>(() => Dice.Of(new LabelMap(3, 2), new LabelMap(2, 3), Structures.Brain[0]));
    }

    [Fact]
    public void Weights_for_a_click_outside_the_slice_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ClickCentredGaussian.Weights(new Click(-1, 0, 1), 8, 8));
    }
}
