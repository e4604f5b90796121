using Oaims.Imaging.Tests.Support;

namespace Oaims.Imaging.Tests;

public sealed class NrrdRoundTripTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("a.nrrd", VoxelType.Float32)]
    [InlineData("a.nrrd", VoxelType.UInt8)]
    [InlineData("a.nrrd", VoxelType.Int16)]
    [InlineData("a.nrrd", VoxelType.Int32)]
    [InlineData("a.nrrd", VoxelType.Float64)]
    [InlineData("a.nhdr", VoxelType.Float32)]
    [InlineData("a.nhdr", VoxelType.UInt16)]
    public void Writing_then_reading_keeps_voxels_affine_and_type(string name, VoxelType type)
    {
        var original = Volumes.Ramp(type);
        string path = _dir.File(name);

        NrrdFile.Write(original, path, type);
        var read = NrrdFile.Read(path);

        Assert.Equal(original.Dims, read.Dims);
        Assertions.VoxelsEqual(original.Channels[0], read.Channels[0]);
        Assertions.AffineEqual(original.IjkToRas, read.IjkToRas, 1e-12);
        Assert.Equal(type.Name(), read.SourceDataType);
    }

    [Fact]
    public void The_writer_stores_LPS_with_gzip_like_Slicer()
    {
        string path = _dir.File("slicer.nrrd");

        NrrdFile.Write(Volumes.Ramp(VoxelType.Float32, affine: Volume.Identity4()), path);

        string header = HeaderText(path);
        Assert.Contains("space: left-posterior-superior\n", header);
        Assert.Contains("encoding: gzip\n", header);
        Assert.Contains("space directions: (-1,0,0) (0,-1,0) (0,0,1)\n", header);
    }

    [Fact]
    public void A_detached_header_names_a_gzip_data_file_beside_it()
    {
        string path = _dir.File("detached.nhdr");

        NrrdFile.Write(Volumes.Ramp(VoxelType.Float32), path);

        Assert.Contains("data file: detached.raw.gz", File.ReadAllText(path));
        Assert.True(File.Exists(_dir.File("detached.raw.gz")));
    }

    [Fact]
    public void Several_channels_become_a_leading_vector_axis_and_read_back_in_order()
    {
        var original = Volumes.Ramp(VoxelType.UInt8, channels: 3);
        string path = _dir.File("rgb.nrrd");

        NrrdFile.Write(original, path, VoxelType.UInt8);
        var read = NrrdFile.Read(path);

        Assert.Contains("kinds: vector domain domain domain", HeaderText(path));
        Assert.Equal(3, read.ChannelCount);
        for (int c = 0; c < 3; c++) Assertions.VoxelsEqual(original.Channels[c], read.Channels[c]);
    }

    private static string HeaderText(string path)
    {
        var bytes = File.ReadAllBytes(path);
        int end = bytes.AsSpan().IndexOf("\n\n"u8);
        return System.Text.Encoding.ASCII.GetString(bytes, 0, end + 1);
    }
}
