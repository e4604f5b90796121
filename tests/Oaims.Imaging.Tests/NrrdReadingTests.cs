using System.IO.Compression;
using System.Text;
using Oaims.Imaging.Tests.Support;

namespace Oaims.Imaging.Tests;

/// <summary>NRRD variants other writers produce, written by hand so each field is tested on its own.</summary>
public sealed class NrrdReadingTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Write(string name, string header, byte[] data)
    {
        string path = _dir.File(name);
        File.WriteAllBytes(path, Encoding.ASCII.GetBytes(header).Concat(data).ToArray());
        return path;
    }

    private static byte[] Shorts(bool bigEndian, params short[] values) =>
        values.SelectMany(v => { var b = BitConverter.GetBytes(v); if (bigEndian) Array.Reverse(b); return b; }).ToArray();

    [Fact]
    public void LPS_directions_and_origin_are_negated_in_x_and_y_to_give_RAS()
    {
        string path = Write("lps.nrrd",
            "NRRD0004\ntype: uchar\ndimension: 3\nspace: left-posterior-superior\nsizes: 2 1 1\n" +
            "space directions: (0.5,0,0) (0,2,0) (0,0,3)\nkinds: domain domain domain\nencoding: raw\nspace origin: (10,20,30)\n\n",
            new byte[] { 1, 2 });

        var v = NrrdFile.Read(path);

        Assertions.AffineEqual(new double[,] { { -0.5, 0, 0, -10 }, { 0, -2, 0, -20 }, { 0, 0, 3, 30 }, { 0, 0, 0, 1 } }, v.IjkToRas, 0);
    }

    [Theory]
    [InlineData("right-anterior-superior")]
    [InlineData("RAS")]
    public void RAS_spaces_are_taken_as_they_are(string space)
    {
        string path = Write("ras.nrrd",
            $"NRRD0004\ntype: uchar\ndimension: 3\nspace: {space}\nsizes: 1 1 1\nspace directions: (1,0,0) (0,1,0) (0,0,1)\nencoding: raw\nspace origin: (1,2,3)\n\n",
            new byte[] { 9 });

        Assert.Equal(new double[] { 1, 2, 3 }, NrrdFile.Read(path).Origin);
    }

    [Fact]
    public void Big_endian_raw_data_is_byte_swapped()
    {
        string path = Write("be.nrrd",
            "NRRD0004\ntype: short\ndimension: 3\nsizes: 3 1 1\nendian: big\nencoding: raw\n\n",
            Shorts(true, 1, -2, 300));

        Assert.Equal(new float[] { 1, -2, 300 }, NrrdFile.Read(path).Channels[0]);
    }

    [Fact]
    public void A_none_direction_marks_the_channel_axis_whose_values_are_interleaved()
    {
        string path = Write("vec.nrrd",
            "NRRD0004\ntype: uchar\ndimension: 4\nspace: RAS\nsizes: 2 3 1 1\n" +
            "space directions: none (1,0,0) (0,1,0) (0,0,1)\nkinds: vector domain domain domain\nencoding: raw\n\n",
            new byte[] { 1, 10, 2, 20, 3, 30 });

        var v = NrrdFile.Read(path);

        Assert.Equal(new[] { 3, 1, 1 }, v.Dims);
        Assert.Equal(new float[] { 1, 2, 3 }, v.Channels[0]);
        Assert.Equal(new float[] { 10, 20, 30 }, v.Channels[1]);
    }

    [Fact]
    public void A_trailing_list_axis_becomes_planar_channels()
    {
        string path = Write("list.nrrd",
            "NRRD0004\ntype: uchar\ndimension: 4\nsizes: 2 1 1 2\nkinds: domain domain domain list\nencoding: raw\n\n",
            new byte[] { 1, 2, 10, 20 });

        var v = NrrdFile.Read(path);

        Assert.Equal(new float[] { 1, 2 }, v.Channels[0]);
        Assert.Equal(new float[] { 10, 20 }, v.Channels[1]);
    }

    [Fact]
    public void Spacings_without_space_directions_give_a_diagonal_affine()
    {
        string path = Write("spacings.nrrd",
            "NRRD0004\ntype: uchar\ndimension: 3\nsizes: 1 1 1\nspacings: 0.5 0.25 4\nencoding: raw\n\n", new byte[] { 0 });

        Assert.Equal(new double[] { 0.5, 0.25, 4 }, NrrdFile.Read(path).Spacing);
    }

    [Fact]
    public void A_two_dimensional_image_gets_one_slice_and_a_unit_normal()
    {
        string path = Write("flat.nrrd",
            "NRRD0004\ntype: uchar\ndimension: 2\nspace dimension: 2\nsizes: 2 2\nspace directions: (2,0) (0,3)\nencoding: raw\n\n",
            new byte[] { 1, 2, 3, 4 });

        var v = NrrdFile.Read(path);

        Assert.Equal(new[] { 2, 2, 1 }, v.Dims);
        Assert.Equal(new double[] { 2, 3, 1 }, v.Spacing);
    }

    [Fact]
    public void ASCII_encoding_reads_whitespace_separated_values()
    {
        string path = Write("text.nrrd",
            "NRRD0004\ntype: float\ndimension: 3\nsizes: 2 2 1\nencoding: ascii\n\n", Encoding.ASCII.GetBytes("1.5 -2\n3e2\t4\n"));

        Assert.Equal(new float[] { 1.5f, -2, 300, 4 }, NrrdFile.Read(path).Channels[0]);
    }

    [Fact]
    public void Byte_skip_minus_one_takes_the_data_from_the_end_of_the_file()
    {
        string path = Write("skip.nrrd",
            "NRRD0004\ntype: uchar\ndimension: 3\nsizes: 2 1 1\nencoding: raw\nbyte skip: -1\n\n", new byte[] { 99, 99, 99, 7, 8 });

        Assert.Equal(new float[] { 7, 8 }, NrrdFile.Read(path).Channels[0]);
    }

    [Fact]
    public void A_detached_gzip_data_file_is_found_relative_to_the_header()
    {
        using (var raw = File.Create(_dir.File("data.raw.gz")))
        using (var z = new GZipStream(raw, CompressionLevel.Fastest))
            z.Write(Shorts(false, 5, 6));
        string path = Write("det.nhdr", "NRRD0005\ntype: int16\ndimension: 3\nsizes: 2 1 1\nendian: little\nencoding: gzip\ndata file: data.raw.gz\n", Array.Empty<byte>());

        Assert.Equal(new float[] { 5, 6 }, NrrdFile.Read(path).Channels[0]);
    }

    [Fact]
    public void Comments_and_key_value_pairs_are_ignored()
    {
        string path = Write("kv.nrrd",
            "NRRD0004\n# a comment\nDWMRI_b-value:=1000\ntype: uchar\ndimension: 3\nsizes: 1 1 1\nencoding: raw\n\n", new byte[] { 42 });

        Assert.Equal(new float[] { 42 }, NrrdFile.Read(path).Channels[0]);
    }
}
