using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Oaims.Service.Images;
using Oaims.Service.Memory;

namespace Oaims.Service.Tests;

public sealed class ImageUploadTests
{
    static readonly ServiceLimits Limits = new();
    readonly MemoryBudget _budget = new(64 << 20);

    [Fact]
    public void Int16_and_uint8_voxels_become_the_same_float_values_planar_by_channel()
    {
        var description = new ImageDescription([2, 1, 1], 2, UploadVoxelType.Int16, ImageDescription.Identity, null, null);
        using var upload = new ImageUpload(description, Limits, _budget);
        upload.Append([0x01, 0x00, 0xFF, 0xFF]); // channel 0: 1, -1
        upload.Append([0x00, 0x80, 0xFF, 0x7F]); // channel 1: -32768, 32767
        upload.Finish();
        var image = upload.Decode();
        Assert.Equal([1f, -1f], image.Channels[0]);
        Assert.Equal([-32768f, 32767f], image.Channels[1]);

        using var bytes = new ImageUpload(description with { VoxelType = UploadVoxelType.UInt8, Channels = 1 }, Limits, _budget);
        bytes.Append([0, 255]);
        bytes.Finish();
        Assert.Equal([0f, 255f], bytes.Decode().Channels[0]);
    }

    [Fact]
    public void A_payload_larger_than_the_first_buffer_arrives_whole_in_many_chunks()
    {
        var description = new ImageDescription([1024, 1024, 5], 1, UploadVoxelType.UInt8, ImageDescription.Identity, null, null);
        var payload = Enumerable.Range(0, 5 << 20).Select(i => (byte)(i * 7)).ToArray();
        using var upload = new ImageUpload(description, Limits, _budget);
        for (int offset = 0; offset < payload.Length; offset += 300_000)
            upload.Append(payload.AsSpan(offset, Math.Min(300_000, payload.Length - offset)));
        string fingerprint = upload.Finish();
        var image = upload.Decode();
        Assert.Equal(ImageFingerprint.Of(description, payload), fingerprint);
        Assert.Equal(payload[^1], image.Channels[0][^1]);
        Assert.Equal(payload[3_000_001], image.Channels[0][3_000_001]);
    }

    [Fact]
    public void Float32_chunks_that_end_inside_a_voxel_or_cross_into_the_next_channel_arrive_whole()
    {
        var values = Enumerable.Range(0, 2 * 37).Select(v => v * 0.5f - 9f).ToArray();
        var payload = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        var description = new ImageDescription([37, 1, 1], 2, UploadVoxelType.Float32, ImageDescription.Identity, null, null);
        using var upload = new ImageUpload(description, Limits, _budget);
        for (int offset = 0; offset < payload.Length; offset += 7)
            upload.Append(payload.AsSpan(offset, Math.Min(7, payload.Length - offset)));
        Assert.Equal(ImageFingerprint.Of(description, payload), upload.Finish());
        var image = upload.Decode();
        Assert.Equal(values[..37], image.Channels[0]);
        Assert.Equal(values[37..], image.Channels[1]);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 29)] // past the vectorised part of the scan
    public void A_non_finite_float32_voxel_is_refused_naming_its_channel_and_voxel(int channel, int voxel)
    {
        var values = new float[2 * 37];
        values[channel * 37 + voxel] = float.NegativeInfinity;
        var description = new ImageDescription([37, 1, 1], 2, UploadVoxelType.Float32, ImageDescription.Identity, null, null);
        using var upload = new ImageUpload(description, Limits, _budget);
        upload.Append(MemoryMarshal.AsBytes(values.AsSpan()));
        upload.Finish();
        var e = Assert.Throws<ArgumentException>(() => upload.Decode());
        Assert.Contains($"Voxel {voxel} of channel {channel} is -", e.Message);
    }

    [Fact]
    public void An_upload_holds_its_buffer_against_the_memory_budget_as_it_grows_and_gives_it_back_when_disposed()
    {
        var description = new ImageDescription([1024, 1024, 12], 1, UploadVoxelType.UInt8, ImageDescription.Identity, null, null);
        var upload = new ImageUpload(description, Limits, _budget);
        Assert.Equal(4 << 20, _budget.Used(MemoryUse.Uploads)); // the first buffer, not the 12 MiB the header promises
        upload.Append(new byte[5 << 20]);
        Assert.Equal(8 << 20, _budget.Used(MemoryUse.Uploads));
        upload.Dispose();
        Assert.Equal(0, _budget.UsedBytes);
    }

    [Fact]
    public void An_upload_whose_buffer_would_pass_the_budget_is_resource_exhausted_and_holds_nothing_after()
    {
        var budget = new MemoryBudget(6 << 20);
        var description = new ImageDescription([1024, 1024, 8], 1, UploadVoxelType.UInt8, ImageDescription.Identity, null, null);
        using var upload = new ImageUpload(description, Limits, budget);
        var e = Assert.Throws<LimitExceededException>(() => upload.Append(new byte[5 << 20]));
        Assert.Contains("budget", e.Message);
        Assert.Equal(4 << 20, budget.UsedBytes);
        upload.Dispose();
        Assert.Equal(0, budget.UsedBytes);
    }

    [Fact]
    public void The_fingerprint_is_sha256_of_the_documented_header_and_the_payload()
    {
        double[] m = [2, 0, 0, -10, 0, 2, 0, 5, 0, 0, 3, 1, 0, 0, 0, 1];
        var description = new ImageDescription([3, 2, 1], 1, UploadVoxelType.UInt8, m, null, "named");
        byte[] payload = [1, 2, 3, 4, 5, 6];
        // What docs/protocol.md tells a client: sha256(b"oaims.v1.image\n" + struct.pack("<5i16d", ...) + payload).
        var expected = new MemoryStream();
        expected.Write(Encoding.ASCII.GetBytes("oaims.v1.image\n"));
        using (var writer = new BinaryWriter(expected, Encoding.ASCII, leaveOpen: true))
        {
            foreach (int v in new[] { 3, 2, 1, 1, 1 }) writer.Write(v);
            foreach (double v in m) writer.Write(v);
            writer.Write(payload);
        }
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(expected.ToArray())), ImageFingerprint.Of(description, payload));
        Assert.Equal(ImageFingerprint.Of(description, payload), ImageFingerprint.Of(description with { Name = "other" }, payload));
        Assert.NotEqual(ImageFingerprint.Of(description, payload), ImageFingerprint.Of(description with { Dims = [2, 3, 1] }, payload));
    }
}
