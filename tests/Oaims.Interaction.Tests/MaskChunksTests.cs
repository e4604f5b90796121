namespace Oaims.Interaction.Tests;

public class MaskChunksTests
{
    [Theory]
    [InlineData(6, 5, 4, 60)]   // slabs of two whole slices
    [InlineData(6, 5, 4, 25)]   // a slice is too big: slabs of four rows
    [InlineData(6, 5, 2, 4)]    // a row is too big: runs of four voxels
    [InlineData(6, 5, 4, 1000)] // everything in one chunk
    public void Chunk_boxes_tile_the_volume_once_and_respect_the_budget(int width, int height, int depth, int maxVoxels)
    {
        var shape = new VolumeShape(width, height, depth);
        var covered = new int[width * height * depth];

        foreach (var box in MaskChunks.Boxes(shape, maxVoxels))
        {
            Assert.True(box.VoxelCount <= maxVoxels);
            for (int z = box.MinZ; z <= box.MaxZ; z++)
                for (int y = box.MinY; y <= box.MaxY; y++)
                    for (int x = box.MinX; x <= box.MaxX; x++)
                        covered[shape.IndexOf(x, y, z)]++;
        }

        Assert.All(covered, c => Assert.Equal(1, c));
    }

    [Theory]
    [InlineData(2, 500)]
    [InlineData(5, 37)]
    public void A_volume_sent_in_chunks_decodes_to_the_same_labels(int classes, int maxVoxels)
    {
        var rng = new Random(classes);
        var shape = new VolumeShape(17, 13, 7);
        var labels = new int[(int)shape.VoxelCount];
        RandomMasks.PaintRectangles(rng, labels, shape.Width, shape.Height, shape.Depth, classes, 12);
        var bytes = labels.Select(l => (byte)l).ToArray();

        var chunks = MaskChunks.Encode<byte>(bytes, shape, maxVoxels).ToList();

        Assert.True(chunks.Count > 1);
        Assert.Equal(bytes, MaskChunks.Decode<byte>(chunks, shape));
        Assert.Equal(labels, MaskChunks.Decode<int>(chunks, shape));
    }
}
