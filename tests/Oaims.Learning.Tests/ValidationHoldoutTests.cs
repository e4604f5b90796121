using Oaims.Learning.Data;

namespace Oaims.Learning.Tests;

public sealed class ValidationHoldoutTests
{
    static readonly string[] Ids = Enumerable.Range(1, 50).Select(i => $"drishtiGS_{i:000}").ToArray();

    [Fact]
    public void TwentyPercentOfTheTrainingIdsAreHeldOutAndNoIdIsOnBothSides()
    {
        var (train, validation) = ValidationHoldout.Split(Ids, 0.2);
        Assert.Equal(10, validation.Count);
        Assert.Equal(40, train.Count);
        Assert.Empty(train.Intersect(validation));
        Assert.Equal(Ids.Order(), train.Concat(validation).Order());
    }

    [Fact]
    public void TheHoldoutIsTheSameWhateverOrderTheIdsComeIn()
    {
        var (_, first) = ValidationHoldout.Split(Ids, 0.2);
        var (_, again) = ValidationHoldout.Split(Ids.Reverse().ToArray(), 0.2);
        Assert.Equal(first, again);
        Assert.NotEqual(Ids.Take(10), first); // shuffled, not the first ids in name order
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void AFractionOutsideZeroToOneIsRefusedWithAReason(double fraction)
    {
        var error = Assert.Throws<ArgumentException>(() => ValidationHoldout.Split(Ids, fraction));
        Assert.Contains("between 0 and 1", error.Message);
    }

    [Fact]
    public void EachSideKeepsAtLeastOneImage()
    {
        var (train, validation) = ValidationHoldout.Split(["a", "b"], 0.01);
        Assert.Single(train);
        Assert.Single(validation);
    }
}
