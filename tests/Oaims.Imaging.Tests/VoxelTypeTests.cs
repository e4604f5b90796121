namespace Oaims.Imaging.Tests;

public sealed class VoxelTypeTests
{
    [Theory]
    [InlineData("uint8", VoxelType.UInt8)]
    [InlineData("INT16", VoxelType.Int16)]
    [InlineData("float", VoxelType.Float32)]
    [InlineData("double", VoxelType.Float64)]
    [InlineData("uchar", VoxelType.UInt8)]
    public void Names_parse_in_numpy_and_C_spellings(string text, VoxelType expected)
    {
        Assert.Equal(expected, VoxelTypes.Parse(text));
    }

    [Fact]
    public void An_unknown_name_is_an_argument_error_listing_the_choices()
    {
        var e = Assert.Throws<ArgumentException>(() => VoxelTypes.Parse("complex64"));

        Assert.Contains("float32", e.Message);
    }

    [Fact]
    public void Every_type_name_parses_back_to_the_type()
    {
        foreach (var type in Enum.GetValues<VoxelType>())
            Assert.Equal(type, VoxelTypes.Parse(type.Name()));
    }
}
