namespace Oaims.Imaging.Tests;

public sealed class VolumeSlicesTests
{
    private static Volume Numbered(int nx = 4, int ny = 3, int nz = 2)
    {
        var data = Enumerable.Range(0, nx * ny * nz).Select(i => (float)i).ToArray();
        return new Volume(new[] { nx, ny, nz }, new[] { data }, Volume.Identity4());
    }

    [Fact]
    public void An_axial_slice_has_x_along_i_and_y_along_j()
    {
        var v = Numbered();

        var slice = VolumeSlices.Extract(v, axis: 2, index: 1);

        Assert.Equal((4, 3), (slice.Width, slice.Height));
        Assert.Equal(v.Channels[0][v.Index(3, 2, 1)], slice.Pixels[3 + 4 * 2]);
    }

    [Theory]
    [InlineData(0, 3, 2)]
    [InlineData(1, 4, 2)]
    [InlineData(2, 4, 3)]
    public void Slice_shape_keeps_the_two_other_axes_in_order(int axis, int width, int height)
    {
        Assert.Equal((width, height), VolumeSlices.SliceShape(new[] { 4, 3, 2 }, axis));
    }

    [Theory]
    [InlineData(0, 2)]
    [InlineData(1, 1)]
    [InlineData(2, 0)]
    public void A_mask_inserted_at_a_slice_reads_back_there_and_nowhere_else(int axis, int index)
    {
        var v = Numbered();
        var before = (float[])v.Channels[0].Clone();
        var (w, h) = VolumeSlices.SliceShape(v.Dims, axis);
        var mask = Enumerable.Range(0, w * h).Select(i => -1f - i).ToArray();

        VolumeSlices.Insert(v, axis, index, mask);

        Assert.Equal(mask, VolumeSlices.Extract(v, axis, index).Pixels);
        Assert.Equal(before.Count(x => x >= 0) - w * h, v.Channels[0].Count(x => x >= 0));
    }

    [Fact]
    public void A_byte_mask_is_written_as_its_values()
    {
        var v = Numbered();

        VolumeSlices.Insert(v.Channels[0], v.Dims, 2, 0, new byte[] { 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0 });

        Assert.Equal(1f, v.Channels[0][v.Index(2, 0, 0)]);
        Assert.Equal(0f, v.Channels[0][v.Index(1, 0, 0)]);
    }

    [Fact]
    public void A_mask_of_the_wrong_size_is_refused()
    {
        Assert.Throws<ArgumentException>(() => VolumeSlices.Insert(Numbered(), 2, 0, new float[5]));
    }

    [Fact]
    public void A_slice_index_outside_the_volume_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => VolumeSlices.Extract(Numbered(), 2, 2));
    }

    [Fact]
    public void Extract_reads_the_requested_channel()
    {
        var v = new Volume(new[] { 2, 1, 1 }, new[] { new float[] { 1, 2 }, new float[] { 3, 4 } }, Volume.Identity4());

        Assert.Equal(new float[] { 3, 4 }, VolumeSlices.Extract(v, 2, 0, channel: 1).Pixels);
    }
}
