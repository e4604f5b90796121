using Oaims.Imaging.Tests.Support;

namespace Oaims.Imaging.Tests;

public sealed class NiftiRoundTripTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("a.nii", 1, VoxelType.Float32)]
    [InlineData("a.nii.gz", 1, VoxelType.Float32)]
    [InlineData("a.nii", 2, VoxelType.Float32)]
    [InlineData("a.nii.gz", 2, VoxelType.Float32)]
    [InlineData("a.nii.gz", 1, VoxelType.UInt8)]
    [InlineData("a.nii.gz", 1, VoxelType.Int8)]
    [InlineData("a.nii", 1, VoxelType.Int16)]
    [InlineData("a.nii.gz", 2, VoxelType.UInt16)]
    [InlineData("a.nii", 1, VoxelType.Int32)]
    [InlineData("a.nii", 2, VoxelType.UInt32)]
    [InlineData("a.nii.gz", 1, VoxelType.Int64)]
    [InlineData("a.nii.gz", 2, VoxelType.Float64)]
    public void Writing_then_reading_keeps_voxels_affine_and_type(string name, int version, VoxelType type)
    {
        var original = Volumes.Ramp(type);
        string path = _dir.File(name);

        NiftiFile.Write(original, path, type, version);
        var read = NiftiFile.Read(path);

        Assert.Equal(original.Dims, read.Dims);
        Assertions.VoxelsEqual(original.Channels[0], read.Channels[0]);
        Assertions.AffineEqual(original.IjkToRas, read.IjkToRas, 1e-5);
        Assert.Equal(type.Name(), read.SourceDataType);
    }

    [Fact]
    public void NIfTI_2_keeps_the_affine_in_double_precision()
    {
        var original = Volumes.Ramp(VoxelType.Float32);
        string path = _dir.File("v2.nii");

        NiftiFile.Write(original, path, version: 2);

        Assertions.AffineEqual(original.IjkToRas, NiftiFile.Read(path).IjkToRas, 1e-12);
    }

    [Fact]
    public void Several_channels_are_written_along_dim4_and_read_back_in_order()
    {
        var original = Volumes.Ramp(VoxelType.Int16, channels: 3);
        string path = _dir.File("multi.nii.gz");

        NiftiFile.Write(original, path, VoxelType.Int16);
        var read = NiftiFile.Read(path);

        Assert.Equal(3, read.ChannelCount);
        for (int c = 0; c < 3; c++) Assertions.VoxelsEqual(original.Channels[c], read.Channels[c]);
    }

    [Fact]
    public void Integer_output_rounds_half_to_even_and_clamps_to_the_type()
    {
        var data = new float[] { 0.5f, 1.5f, 2.5f, -0.6f, 300f, -5f, float.NaN, 254.4f };
        var volume = new Volume(new[] { 8, 1, 1 }, new[] { data }, Volume.Identity4());
        string path = _dir.File("rounded.nii");

        NiftiFile.Write(volume, path, VoxelType.UInt8);

        Assert.Equal(new float[] { 0, 2, 2, 0, 255, 0, 0, 254 }, NiftiFile.Read(path).Channels[0]);
    }

    [Fact]
    public void Writing_replaces_an_existing_file_and_leaves_no_temporary_files()
    {
        string path = _dir.File("twice.nii.gz");
        NiftiFile.Write(Volumes.Ramp(VoxelType.Float32), path);

        NiftiFile.Write(Volumes.Ramp(VoxelType.UInt8, 2, 2, 2), path, VoxelType.UInt8);

        Assert.Equal(new[] { 2, 2, 2 }, NiftiFile.Read(path).Dims);
        Assert.Equal(new[] { path }, Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public void A_two_dimensional_volume_round_trips_with_one_slice()
    {
        var original = Volumes.Ramp(VoxelType.Float32, 7, 6, 1);
        string path = _dir.File("flat.nii");

        NiftiFile.Write(original, path);

        Assert.Equal(new[] { 7, 6, 1 }, NiftiFile.Read(path).Dims);
    }
}
