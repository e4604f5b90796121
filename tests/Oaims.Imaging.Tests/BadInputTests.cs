using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Oaims.Imaging.Tests.Support;

namespace Oaims.Imaging.Tests;

/// <summary>Damaged and hostile files: each must fail with one ImageFormatException sentence naming the file, without large allocations.</summary>
public sealed class BadInputTests : IDisposable
{
    private const long BoundedAllocation = 16L * 1024 * 1024;
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static ImageFormatException Fails(string path, Func<string, Volume> read, string expectedProblem)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ImageFormatException>(() => read(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        string name = Path.GetFileName(path);
        Assert.StartsWith(name + " ", e.Message);
        Assert.EndsWith(".", e.Message);
        Assert.DoesNotContain("\n", e.Message);
        Assert.Contains(expectedProblem, e.Message);
        Assert.True(allocated < BoundedAllocation, $"Reading {name} allocated {allocated} bytes before failing.");
        return e;
    }

    /// <summary>A valid uncompressed NIfTI-1 image: 352 header bytes, then 10x10x10 float32 voxels.</summary>
    private byte[] ValidNifti()
    {
        string path = _dir.File("valid.nii");
        NiftiFile.Write(Volumes.Ramp(VoxelType.Float32, 10, 10, 10), path);
        return File.ReadAllBytes(path);
    }

    private string Save(string name, byte[] bytes, bool gzip = false)
    {
        string path = _dir.File(name);
        if (!gzip)
        {
            File.WriteAllBytes(path, bytes);
            return path;
        }
        using var file = File.Create(path);
        using var z = new GZipStream(file, CompressionLevel.Fastest);
        z.Write(bytes);
        return path;
    }

    private static byte[] WithDims(byte[] nifti, params short[] dims)
    {
        var copy = (byte[])nifti.Clone();
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt16LittleEndian(copy.AsSpan(40 + 2 * i), dims[i]);
        return copy;
    }

    [Fact]
    public void A_truncated_nii_says_how_many_voxel_bytes_were_promised_and_found()
    {
        string path = Save("short.nii", ValidNifti()[..(352 + 1200)]);

        Fails(path, p => NiftiFile.Read(p), "is truncated: the header promises 4000 bytes of voxels but only 1200 follow");
    }

    [Fact]
    public void A_truncated_nii_gz_says_how_many_voxel_bytes_were_found()
    {
        string path = Save("short.nii.gz", ValidNifti()[..(352 + 1200)], gzip: true);

        Fails(path, p => NiftiFile.Read(p), "is truncated: the header promises 4000 bytes of voxels but only 1200 follow");
    }

    [Fact]
    public void A_gzip_stream_cut_short_is_reported_not_crashed()
    {
        var noisy = new Random(1);
        var volume = new Volume(new[] { 32, 32, 32 }, new[] { Enumerable.Range(0, 32768).Select(_ => (float)noisy.NextDouble()).ToArray() }, Volume.Identity4());
        NiftiFile.Write(volume, _dir.File("full.nii.gz"));
        var bytes = File.ReadAllBytes(_dir.File("full.nii.gz"));
        string path = Save("cut.nii.gz", bytes[..(bytes.Length / 2)]);

        Fails(path, p => NiftiFile.Read(p), "is truncated: the header promises 131072 bytes of voxels but only");
    }

    [Fact]
    public void A_header_shorter_than_348_bytes_is_truncated()
    {
        string path = Save("stub.nii", ValidNifti()[..100]);

        Fails(path, p => NiftiFile.Read(p), "is truncated: a NIfTI-1 header needs 348 bytes but the file holds only 100");
    }

    [Fact]
    public void A_wrong_magic_string_is_named()
    {
        var bytes = ValidNifti();
        Encoding.ASCII.GetBytes("abc\0").CopyTo(bytes, 344);
        string path = Save("magic.nii", bytes);

        Fails(path, p => NiftiFile.Read(p), "is not a NIfTI-1 file: its magic string is 'abc?'");
    }

    [Fact]
    public void A_file_that_is_not_NIfTI_at_all_is_named()
    {
        string path = Save("text.nii", Encoding.ASCII.GetBytes("hello, this is not an image at all"));

        Fails(path, p => NiftiFile.Read(p), "is not a NIfTI file");
    }

    [Theory]
    [InlineData((short)-5)]
    [InlineData((short)0)]
    public void A_non_positive_dimension_is_impossible(short size)
    {
        string path = Save("dims.nii", WithDims(ValidNifti(), 3, 10, size, 10));

        Fails(path, p => NiftiFile.Read(p), "declares an impossible size");
    }

    [Fact]
    public void A_dim0_outside_1_to_7_is_impossible()
    {
        string path = Save("ndim.nii", WithDims(ValidNifti(), 9));

        Fails(path, p => NiftiFile.Read(p), "dim[0] is 9");
    }

    [Fact]
    public void An_absurd_size_is_refused_before_anything_is_allocated()
    {
        string path = Save("huge.nii", WithDims(ValidNifti(), 4, 30000, 30000, 30000, 30000));

        Fails(path, p => NiftiFile.Read(p), "declares an absurd size: 30000 x 30000 x 30000 x 30000 voxels of float32");
    }

    [Fact]
    public void The_size_limit_is_configurable()
    {
        string path = Save("limited.nii", ValidNifti());

        Fails(path, p => NiftiFile.Read(p, new ReadLimits(MaxDataBytes: 1000)), "over the 1000-byte limit");
    }

    [Fact]
    public void Extra_bytes_after_the_voxels_are_a_size_mismatch()
    {
        string path = Save("long.nii", ValidNifti().Concat(new byte[16]).ToArray());

        Fails(path, p => NiftiFile.Read(p), "does not match its header: the header promises 4000 bytes of voxels but 4016 follow");
    }

    [Fact]
    public void A_gzip_bomb_that_inflates_past_its_header_stops_after_the_promised_bytes()
    {
        var header = WithDims(ValidNifti()[..352], 3, 4, 4, 4);
        BinaryPrimitives.WriteInt16LittleEndian(header.AsSpan(70), 2); // uint8
        BinaryPrimitives.WriteInt16LittleEndian(header.AsSpan(72), 8);
        string path = _dir.File("bomb.nii.gz");
        using (var file = File.Create(path))
        using (var z = new GZipStream(file, CompressionLevel.Optimal))
        {
            z.Write(header);
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++) z.Write(zeros); // 64 MiB of zeros, ~64 KiB on disk
        }

        Fails(path, p => NiftiFile.Read(p), "inflates to more than the 64 bytes of voxels its header promises");
    }

    [Fact]
    public void A_tiny_gzip_claiming_a_large_volume_is_refused_without_allocating_it()
    {
        var header = WithDims(ValidNifti()[..352], 3, 1000, 1000, 200); // 800 MB of float32
        string path = Save("claim.nii.gz", header, gzip: true);

        Fails(path, p => NiftiFile.Read(p), "is truncated: the header promises 800000000 bytes of voxels");
    }

    [Fact]
    public void A_gzip_stream_inflating_less_than_claimed_is_truncated_with_bounded_allocation()
    {
        var header = WithDims(ValidNifti()[..352], 3, 500, 500, 100); // 100 MB claimed
        string path = _dir.File("partial.nii.gz");
        using (var file = File.Create(path))
        using (var z = new GZipStream(file, CompressionLevel.Optimal))
        {
            z.Write(header);
            var noise = new byte[2 << 20]; // 2 MiB actually there, incompressible so the ratio bound cannot reject it early
            new Random(3).NextBytes(noise);
            z.Write(noise);
        }

        Fails(path, p => NiftiFile.Read(p), "but only 2097152 follow");
    }

    [Fact]
    public void An_unsupported_data_type_is_named()
    {
        var bytes = ValidNifti();
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(70), 32);
        string path = Save("complex.nii", bytes);

        Fails(path, p => NiftiFile.Read(p), "uses NIfTI data type 32 (complex64)");
    }

    [Fact]
    public void A_nrrd_with_a_wrong_magic_is_named()
    {
        string path = Save("bad.nrrd", Encoding.ASCII.GetBytes("NRRX0004\ntype: uchar\n\n"));

        Fails(path, p => NrrdFile.Read(p), "is not a NRRD file");
    }

    [Fact]
    public void A_truncated_raw_nrrd_says_what_was_promised()
    {
        string path = Save("short.nrrd", Encoding.ASCII.GetBytes("NRRD0004\ntype: uchar\ndimension: 3\nsizes: 10 10 10\nencoding: raw\n\n").Concat(new byte[10]).ToArray());

        Fails(path, p => NrrdFile.Read(p), "is truncated: the header promises 1000 bytes of voxels but only 10 follow");
    }

    [Fact]
    public void An_absurd_nrrd_size_is_refused()
    {
        string path = Save("huge.nrrd", Encoding.ASCII.GetBytes("NRRD0004\ntype: double\ndimension: 3\nsizes: 100000 100000 100000\nencoding: gzip\n\n"));

        Fails(path, p => NrrdFile.Read(p), "declares an absurd size");
    }

    [Fact]
    public void A_nrrd_gzip_bomb_stops_after_the_promised_bytes()
    {
        string path = _dir.File("bomb.nrrd");
        using (var file = File.Create(path))
        {
            file.Write(Encoding.ASCII.GetBytes("NRRD0004\ntype: uchar\ndimension: 3\nsizes: 2 2 2\nencoding: gzip\n\n"));
            using var z = new GZipStream(file, CompressionLevel.Optimal);
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 32; i++) z.Write(zeros);
        }

        Fails(path, p => NrrdFile.Read(p), "inflates to more than the 8 bytes of voxels its header promises");
    }

    [Fact]
    public void A_missing_detached_data_file_is_named()
    {
        string path = Save("lost.nhdr", Encoding.ASCII.GetBytes("NRRD0004\ntype: uchar\ndimension: 3\nsizes: 2 2 2\nencoding: raw\ndata file: nowhere.raw\n"));

        Fails(path, p => NrrdFile.Read(p), "names a data file nowhere.raw that does not exist");
    }

    [Fact]
    public void A_png_without_the_png_signature_is_named()
    {
        string path = Save("fake.png", Encoding.ASCII.GetBytes("GIF89a and then some more bytes"));

        Fails(path, p => PngFile.Read(p), "is not a PNG file");
    }

    [Fact]
    public void A_truncated_png_is_reported()
    {
        string full = _dir.File("full.png");
        PngFile.Write(Volumes.Ramp(VoxelType.UInt8, 40, 40, 1), full);
        var bytes = File.ReadAllBytes(full);
        string path = Save("cut.png", bytes[..(bytes.Length / 2)]);

        Fails(path, p => PngFile.Read(p), "is a damaged or truncated PNG");
    }

    [Fact]
    public void A_png_declaring_absurd_dimensions_is_refused_before_decoding()
    {
        string full = _dir.File("ok.png");
        PngFile.Write(Volumes.Ramp(VoxelType.UInt8, 4, 4, 1), full);
        var bytes = File.ReadAllBytes(full);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(16), 2_000_000_000);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(20), 2_000_000_000);
        string path = Save("wide.png", bytes);

        Fails(path, p => PngFile.Read(p), "declares an absurd size");
    }
}
