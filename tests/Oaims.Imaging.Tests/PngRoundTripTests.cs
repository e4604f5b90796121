using Oaims.Imaging.Tests.Support;

namespace Oaims.Imaging.Tests;

public sealed class PngRoundTripTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(1, VoxelType.UInt8)]
    [InlineData(3, VoxelType.UInt8)]
    [InlineData(1, VoxelType.UInt16)]
    [InlineData(3, VoxelType.UInt16)]
    public void Writing_then_reading_keeps_every_pixel(int channels, VoxelType type)
    {
        var original = Volumes.Ramp(type, 9, 5, 1, channels, Volume.Identity4());
        string path = _dir.File("a.png");

        PngFile.Write(original, path, type);
        var read = PngFile.Read(path);

        Assert.Equal(new[] { 9, 5, 1 }, read.Dims);
        Assert.Equal(channels, read.ChannelCount);
        for (int c = 0; c < channels; c++) Assertions.VoxelsEqual(original.Channels[c], read.Channels[c]);
        Assert.Equal(type.Name(), read.SourceDataType);
    }

    [Fact]
    public void Column_is_i_and_row_is_j_with_an_identity_affine()
    {
        var data = new float[6];
        data[2 + 3 * 1] = 200; // column 2, row 1
        string path = _dir.File("where.png");

        PngFile.Write(new Volume(new[] { 3, 2, 1 }, new[] { data }, Volume.Identity4()), path);
        var read = PngFile.Read(path);

        Assert.Equal(200, read.Channels[0][read.Index(2, 1, 0)]);
        Assertions.AffineEqual(Volume.Identity4(), read.IjkToRas, 0);
    }

    [Fact]
    public void Mask_values_are_written_as_given_and_clamped_to_0_255()
    {
        var data = new float[] { 0, 1, 2, -4, 999 };
        string path = _dir.File("mask.png");

        PngFile.Write(new Volume(new[] { 5, 1, 1 }, new[] { data }, Volume.Identity4()), path);

        Assert.Equal(new float[] { 0, 1, 2, 0, 255 }, PngFile.Read(path).Channels[0]);
    }

    [Fact]
    public void Alpha_is_dropped_when_reading_an_RGBA_png()
    {
        string path = _dir.File("rgba.png");
        using (var image = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgba32>(2, 1))
        {
            image[0, 0] = new SixLabors.ImageSharp.PixelFormats.Rgba32(10, 20, 30, 40);
            image[1, 0] = new SixLabors.ImageSharp.PixelFormats.Rgba32(1, 2, 3, 255);
            SixLabors.ImageSharp.ImageExtensions.SaveAsPng(image, path);
        }

        var read = PngFile.Read(path);

        Assert.Equal(3, read.ChannelCount);
        Assert.Equal(new float[] { 10, 1 }, read.Channels[0]);
        Assert.Equal(new float[] { 30, 3 }, read.Channels[2]);
    }

    [Fact]
    public void A_volume_with_several_slices_cannot_be_written_as_png()
    {
        Assert.Throws<ArgumentException>(() => PngFile.Write(Volumes.Ramp(VoxelType.UInt8), _dir.File("3d.png")));
    }
}
