namespace Oaims.Interaction.Tests;

public class VolumeErrorsTests
{
    static readonly VolumeShape Shape = new(4, 3, 3);

    [Fact]
    public void The_largest_error_region_is_connected_across_slices_and_its_fullest_slice_is_found()
    {
        var truth = new byte[Shape.VoxelCount];
        var labels = new byte[Shape.VoxelCount];
        // A missed column through all three slices at (1, 1), widened on slice 2; one false positive voxel elsewhere.
        foreach (int z in new[] { 0, 1, 2 }) truth[Shape.IndexOf(1, 1, z)] = 1;
        truth[Shape.IndexOf(2, 1, 2)] = 1;
        truth[Shape.IndexOf(3, 1, 2)] = 1;
        labels[Shape.IndexOf(3, 0, 0)] = 1;

        var region = VolumeErrors.LargestRegion(truth, labels, Shape);

        Assert.Equal(5, region.Count);
        Assert.Equal(2, VolumeErrors.FullestSlice(region, Shape));
    }

    [Fact]
    public void Labels_equal_to_the_truth_have_no_error_region()
    {
        var truth = new byte[Shape.VoxelCount];
        truth[5] = 1;

        Assert.Empty(VolumeErrors.LargestRegion(truth, (byte[])truth.Clone(), Shape));
    }
}
