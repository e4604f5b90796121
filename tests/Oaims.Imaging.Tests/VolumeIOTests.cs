using Oaims.Imaging.Tests.Support;

namespace Oaims.Imaging.Tests;

public sealed class VolumeIOTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("SCAN.NII.GZ")]
    [InlineData("scan.Nii")]
    [InlineData("scan.NRRD")]
    [InlineData("scan.nhdr")]
    public void The_format_follows_the_extension_whatever_its_case(string name)
    {
        var original = Volumes.Ramp(VoxelType.Float32);
        string path = _dir.File(name);

        VolumeIO.Write(original, path);
        var read = VolumeIO.Read(path);

        Assertions.VoxelsEqual(original.Channels[0], read.Channels[0]);
        Assertions.AffineEqual(original.IjkToRas, read.IjkToRas, 1e-5);
    }

    [Fact]
    public void Writes_default_to_float32_for_volumes_and_uint8_for_png()
    {
        VolumeIO.Write(Volumes.Ramp(VoxelType.UInt8), _dir.File("a.nii"));
        VolumeIO.Write(Volumes.Ramp(VoxelType.UInt8, 4, 4, 1), _dir.File("a.PNG"));

        Assert.Equal("float32", VolumeIO.Read(_dir.File("a.nii")).SourceDataType);
        Assert.Equal("uint8", VolumeIO.Read(_dir.File("a.PNG")).SourceDataType);
    }

    [Fact]
    public void An_unknown_extension_is_refused_on_read_with_the_file_name()
    {
        File.WriteAllText(_dir.File("scan.mha"), "x");

        var e = Assert.Throws<ImageFormatException>(() => VolumeIO.Read(_dir.File("scan.mha")));

        Assert.Contains("scan.mha", e.Message);
    }

    [Fact]
    public void An_unknown_extension_is_refused_on_write()
    {
        Assert.Throws<ArgumentException>(() => VolumeIO.Write(Volumes.Ramp(VoxelType.UInt8), _dir.File("scan.tif")));
    }

    [Fact]
    public void A_missing_file_throws_FileNotFoundException_naming_it()
    {
        var e = Assert.Throws<FileNotFoundException>(() => VolumeIO.Read(_dir.File("absent.nii.gz")));

        Assert.Contains("absent.nii.gz", e.Message);
    }

    [Theory]
    [InlineData("a/b/scan.nii.gz", ".nii.gz")]
    [InlineData("scan.NRRD", ".nrrd")]
    [InlineData("x.tar.gz", ".tar.gz")]
    [InlineData("plain.png", ".png")]
    public void Extension_includes_a_trailing_gz_and_is_lower_case(string path, string expected)
    {
        Assert.Equal(expected, VolumeIO.Extension(path));
    }

    [Fact]
    public void Converting_NRRD_to_NIfTI_keeps_voxels_and_geometry()
    {
        var original = Volumes.Ramp(VoxelType.Int16);
        NrrdFile.Write(original, _dir.File("in.nrrd"), VoxelType.Int16);

        VolumeIO.Write(VolumeIO.Read(_dir.File("in.nrrd")), _dir.File("out.nii.gz"), VoxelType.Int16);
        var read = VolumeIO.Read(_dir.File("out.nii.gz"));

        Assertions.VoxelsEqual(original.Channels[0], read.Channels[0]);
        Assertions.AffineEqual(original.IjkToRas, read.IjkToRas, 1e-5);
    }
}
