using System.IO.Compression;

namespace Oaims.Interaction.Tests;

public class MaskDeltaTests
{
    private static byte[] Inflate(byte[] data)
    {
        using var zlib = new ZLibStream(new MemoryStream(data), CompressionMode.Decompress);
        using var raw = new MemoryStream();
        zlib.CopyTo(raw);
        return raw.ToArray();
    }

    [Fact]
    public void A_binary_change_is_the_changed_box_bit_packed_row_by_row()
    {
        var shape = new VolumeShape(4, 3);
        var previous = new byte[12];
        byte[] next =
        [
            0, 1, 0, 1,
            0, 1, 1, 0,
            0, 0, 0, 0,
        ];

        var delta = MaskDelta.Between<byte>(previous, next, shape);

        Assert.Equal(new VoxelBox(1, 0, 0, 3, 1, 0), delta.Box);
        Assert.Equal(MaskEncoding.BitPacked, delta.Encoding);
        // Box voxels in order: 1 0 1 / 1 1 0 -> bits 0, 2, 3, 4 -> 1 + 4 + 8 + 16 = 29.
        Assert.Equal([29], Inflate(delta.Data));
    }

    [Fact]
    public void Labels_other_than_zero_and_one_travel_as_one_byte_per_voxel()
    {
        var shape = new VolumeShape(3, 2);
        int[] previous = [0, 0, 0, 0, 0, 0];
        int[] next = [0, 2, 1, 0, 0, 0];

        var delta = MaskDelta.Between<int>(previous, next, shape);

        Assert.Equal(new VoxelBox(1, 0, 0, 2, 0, 0), delta.Box);
        Assert.Equal(MaskEncoding.BytePerVoxel, delta.Encoding);
        Assert.Equal([2, 1], Inflate(delta.Data));
    }

    [Fact]
    public void The_box_covers_every_changed_voxel_on_all_three_axes()
    {
        var shape = new VolumeShape(5, 4, 3);
        var previous = new byte[60];
        var next = new byte[60];
        next[shape.IndexOf(3, 1, 0)] = 1;
        next[shape.IndexOf(1, 2, 2)] = 1;

        Assert.Equal(new VoxelBox(1, 1, 0, 3, 2, 2), VoxelBox.Changed<byte>(previous, next, shape));
    }

    [Fact]
    public void Nothing_changed_gives_an_empty_delta_that_changes_nothing()
    {
        var shape = new VolumeShape(4, 4);
        var labels = Enumerable.Range(0, 16).Select(i => (byte)(i % 3)).ToArray();
        var copy = (byte[])labels.Clone();

        var delta = MaskDelta.Between<byte>(labels, copy, shape);
        delta.ApplyTo<byte>(copy, shape);

        Assert.True(delta.IsEmpty);
        Assert.Null(delta.Box);
        Assert.Equal(labels, copy);
    }

    [Fact]
    public void Changes_outside_the_searched_area_are_not_looked_for()
    {
        var shape = new VolumeShape(4, 4, 2);
        var previous = new byte[32];
        var next = new byte[32];
        next[shape.IndexOf(0, 0, 1)] = 1;

        Assert.True(MaskDelta.Between<byte>(previous, next, shape, within: new VoxelBox(0, 0, 0, 3, 3, 0)).IsEmpty);
        Assert.False(MaskDelta.Between<byte>(previous, next, shape, within: new VoxelBox(0, 0, 1, 3, 3, 1)).IsEmpty);
    }

    [Theory]
    [InlineData(2, 1, 1)]   // binary 2D
    [InlineData(4, 1, 2)]   // multi-class 2D
    [InlineData(2, 6, 3)]   // binary 3D
    [InlineData(3, 5, 4)]   // multi-class 3D
    public void Applying_the_deltas_of_a_random_edit_sequence_in_order_reproduces_the_final_mask(int classes, int depth, int seed)
    {
        var rng = new Random(seed);
        var shape = new VolumeShape(rng.Next(5, 40), rng.Next(5, 30), depth);
        var current = new int[(int)shape.VoxelCount];
        var received = new byte[current.Length];

        for (int step = 0; step < 40; step++)
        {
            var next = (int[])current.Clone();
            RandomMasks.PaintRectangles(rng, next, shape.Width, shape.Height, shape.Depth, classes, rng.Next(0, 3));
            if (rng.Next(4) == 0) next[rng.Next(next.Length)] = rng.Next(classes); // single-voxel edits too

            MaskDelta.Between<int>(current, next, shape).ApplyTo<byte>(received, shape);
            current = next;

            Assert.Equal(current.Select(l => (byte)l), received);
        }
    }

    [Fact]
    public void Labels_that_do_not_fit_in_a_byte_are_refused()
    {
        var shape = new VolumeShape(2, 1);

        Assert.Throws<ArgumentException>(() => MaskDelta.Between<int>(new int[2], new[] { 0, 256 }, shape));
    }

    [Fact]
    public void A_delta_whose_data_does_not_fill_its_box_is_rejected()
    {
        var shape = new VolumeShape(4, 4);
        var delta = MaskDelta.Between<byte>(new byte[16], Enumerable.Repeat((byte)2, 16).ToArray(), shape);
        var smallerBox = delta with { Box = new VoxelBox(0, 0, 0, 3, 2, 0) };
        var largerBox = delta with { Box = new VoxelBox(0, 0, 0, 3, 3, 1) };
        var outsideBox = delta with { Box = new VoxelBox(0, 0, 0, 4, 3, 0) };

        Assert.Throws<InvalidDataException>(() => smallerBox.ApplyTo<byte>(new byte[16], shape));
        Assert.Throws<InvalidDataException>(() => largerBox.ApplyTo<byte>(new byte[32], new VolumeShape(4, 4, 2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => outsideBox.ApplyTo<byte>(new byte[16], shape));
    }

    [Fact]
    public void Data_that_is_not_zlib_is_rejected()
    {
        var shape = new VolumeShape(4, 4);
        var garbage = new MaskDelta(new VoxelBox(0, 0, 0, 3, 3, 0), MaskEncoding.BytePerVoxel, [1, 2, 3, 4, 5]);

        Assert.Throws<InvalidDataException>(() => garbage.ApplyTo<byte>(new byte[16], shape));
    }
}
