using Grpc.Core;
using Oaims.Service.Images;
using Oaims.Service.V1;
using VoxelType = Oaims.Service.V1.VoxelType;
using static Oaims.Service.Tests.TestImages;

namespace Oaims.Service.Tests;

[Collection("server")]
public sealed class UploadTests(ServerFixture server)
{
    [Fact]
    public async Task Upload_returns_the_content_fingerprint_the_client_computed()
    {
        var image = Brain3D(seed: 1).Image;
        var (header, payload) = Encode(image);
        var reference = await RawUploadAsync(server.Segmentation, header, payload[..1000], payload[1000..]);
        Assert.Equal(header.Fingerprint, reference.ImageId);
        Assert.Equal(image.Dims, reference.Dims);
        Assert.Equal(1, reference.Channels);
    }

    [Fact]
    public async Task A_re_upload_of_the_same_content_is_known_and_FindImage_says_so_before_uploading()
    {
        var (header, payload) = Encode(Brain2D(seed: 2).Image);
        Assert.False((await server.Segmentation.FindImageAsync(new FindImageRequest { ImageId = header.Fingerprint })).Known);
        var first = await RawUploadAsync(server.Segmentation, header, payload);
        Assert.False(first.AlreadyKnown);
        var found = await server.Segmentation.FindImageAsync(new FindImageRequest { ImageId = header.Fingerprint });
        Assert.True(found.Known);
        Assert.Equal(first.ImageId, found.Image.ImageId);
        var second = await RawUploadAsync(server.Segmentation, header, payload);
        Assert.True(second.AlreadyKnown);
        Assert.Equal(first.ImageId, second.ImageId);
    }

    [Fact]
    public async Task Uint8_and_int16_uploads_are_accepted()
    {
        var bytes = Enumerable.Range(0, 4 * 5 * 2).Select(i => (byte)i).ToArray();
        var u8 = await RawUploadAsync(server.Segmentation, Header([4, 5, 2], 1, VoxelType.Uint8), bytes);
        Assert.Equal([4, 5, 2], u8.Dims);
        var i16 = await RawUploadAsync(server.Segmentation, Header([2, 5, 1], 2, VoxelType.Int16), bytes);
        Assert.Equal(2, i16.Channels);
    }

    public static TheoryData<string, ImageHeader, byte[]> MalformedUploads() => new()
    {
        { "two dims", Header([4, 4]), new byte[64] },
        { "zero dim", Header([4, 0, 1]), [] },
        { "negative dim", Header([4, -4, 1]), new byte[64] },
        { "five channels", Header([2, 2, 1], 5), new byte[80] },
        { "zero channels", Header([2, 2, 1], 0), [] },
        { "no voxel type", Header([2, 2, 1], 1, VoxelType.Unspecified), new byte[16] },
        { "unknown voxel type", Header([2, 2, 1], 1, (VoxelType)9), new byte[16] },
        { "shape larger than bytes (stream ends early)", Header([4, 4, 1]), new byte[40] },
        { "shape smaller than bytes", Header([2, 2, 1]), new byte[20] },
        { "NaN voxel", Header([2, 2, 1]), Float32Payload(1, float.NaN, 2, 3) },
        { "infinite voxel", Header([2, 2, 1]), Float32Payload(1, 2, float.PositiveInfinity, 3) },
        { "matrix of 3 values", WithMatrix(Header([2, 2, 1]), 1, 0, 0), Float32Payload(1, 2, 3, 4) },
        { "NaN in the matrix", WithMatrix(Header([2, 2, 1]), [.. ImageDescription.Identity[..15], double.NaN]), Float32Payload(1, 2, 3, 4) },
        { "fingerprint not matching the data", WithFingerprint(Header([2, 2, 1]), new string('a', 64)), Float32Payload(1, 2, 3, 4) },
        { "malformed fingerprint", WithFingerprint(Header([2, 2, 1]), "xyz"), Float32Payload(1, 2, 3, 4) },
    };

    [Theory]
    [MemberData(nameof(MalformedUploads))]
    public async Task Malformed_uploads_are_invalid_arguments_and_change_nothing(string what, ImageHeader header, byte[] payload)
    {
        string workspace = await server.NewWorkspaceAsync();
        string before = await server.ChecksumAsync(workspace);
        var e = await Refusals.Expect(StatusCode.InvalidArgument, () => RawUploadAsync(server.Segmentation, header, payload));
        Assert.False(string.IsNullOrEmpty(what + e.Status.Detail));
        await server.AssertStillServingAsync(workspace, before);
    }

    [Fact]
    public async Task An_upload_without_header_is_an_invalid_argument()
    {
        await Refusals.Expect(StatusCode.InvalidArgument, () => RawUploadAsync(server.Segmentation, null, new byte[16]));
        await Refusals.Expect(StatusCode.InvalidArgument, () => RawUploadAsync(server.Segmentation, null));
    }

    [Fact]
    public async Task A_second_header_is_an_invalid_argument()
    {
        using var call = server.Segmentation.UploadImage();
        await call.RequestStream.WriteAsync(new UploadImageRequest { Header = Header([2, 2, 1]) });
        await call.RequestStream.WriteAsync(new UploadImageRequest { Header = Header([2, 2, 1]) });
        await call.RequestStream.CompleteAsync();
        await Refusals.Expect(StatusCode.InvalidArgument, () => call.ResponseAsync);
    }

    [Fact]
    public async Task A_truncated_upload_says_how_many_bytes_arrived()
    {
        var (header, payload) = Encode(Brain2D(seed: 3).Image);
        var e = await Refusals.Expect(StatusCode.InvalidArgument, () => RawUploadAsync(server.Segmentation, header, payload[..(payload.Length / 2)]));
        Assert.Contains($"{payload.Length / 2} of the {payload.Length} bytes", e.Status.Detail);
        Assert.False((await server.Segmentation.FindImageAsync(new FindImageRequest { ImageId = header.Fingerprint })).Known);
    }

    [Fact]
    public async Task Oversize_uploads_are_refused_as_resource_exhausted_before_any_data()
    {
        string workspace = await server.NewWorkspaceAsync();
        string before = await server.ChecksumAsync(workspace);
        // 400 000 voxels > 300 000; 2 x 200 000 float32 = 1.6 MB > 1 MiB.
        await Refusals.Expect(StatusCode.ResourceExhausted, () => RawUploadAsync(server.Segmentation, Header([100, 100, 40], 1, VoxelType.Uint8)));
        await Refusals.Expect(StatusCode.ResourceExhausted, () => RawUploadAsync(server.Segmentation, Header([100, 100, 20], 2)));
        await server.AssertStillServingAsync(workspace, before);
    }

    [Fact]
    public async Task A_chunk_larger_than_the_message_limit_is_resource_exhausted()
    {
        var header = Header([300, 300, 1], 1, VoxelType.Uint8);
        await Refusals.Expect(StatusCode.ResourceExhausted, () => RawUploadAsync(server.Segmentation, header, new byte[90_000], new byte[300 << 10]));
        Assert.NotEmpty((await server.Client.CapabilitiesAsync()).Models);
    }

    static ImageHeader WithMatrix(ImageHeader header, params double[] values)
    {
        header.IjkToRas.Add(values);
        return header;
    }

    internal static ImageHeader WithFingerprint(ImageHeader header, string fingerprint)
    {
        header.Fingerprint = fingerprint;
        return header;
    }
}
