using Oaims.Service.Memory;
using Oaims.Service.V1;
using static Oaims.Service.Tests.TestImages;

namespace Oaims.Service.Tests;

/// <summary>POST /v1/images, the fast upload endpoint, against the real server on loopback: the same image, checks and limits as UploadImage.</summary>
[Collection("server")]
public sealed class HttpUploadTests(ServerFixture server)
{
    Uri Address => server.Server.UploadAddress ?? throw new InvalidOperationException("The test server offers no upload endpoint.");

    [Fact]
    public async Task A_loopback_server_offers_the_upload_port_in_its_capabilities()
    {
        var capabilities = await server.Segmentation.GetCapabilitiesAsync(new GetCapabilitiesRequest());
        Assert.Equal(Address.Port, capabilities.HttpUploadPort);
        Assert.NotEqual(server.Server.Address.Port, capabilities.HttpUploadPort);
    }

    [Fact]
    public async Task An_http_upload_stores_the_exact_voxels_under_the_fingerprint_the_gRPC_upload_gives()
    {
        var image = Brain3D(seed: 31).Image;
        var (header, payload) = Encode(image);
        var reply = await RawHttpUpload.PostAsync(Address, header, payload);

        Assert.Equal(200, reply.Status);
        Assert.Equal(header.Fingerprint, reply.Image.ImageId);
        Assert.Equal(image.Dims, reply.Image.Dims);
        Assert.False(reply.Image.AlreadyKnown);
        Assert.Equal(image.Channels[0], server.Server.Sidecar.Images.Get(reply.Image.ImageId).Volume.Channels[0]);
        var again = await RawUploadAsync(server.Segmentation, header, payload);
        Assert.True(again.AlreadyKnown);
        Assert.Equal(reply.Image.ImageId, again.ImageId);
    }

    [Fact]
    public async Task Without_a_claimed_fingerprint_the_server_computes_it_and_knows_a_second_upload()
    {
        var (header, payload) = Encode(Brain2D(seed: 32).Image);
        string fingerprint = header.Fingerprint;
        header.Fingerprint = "";
        var first = await RawHttpUpload.PostAsync(Address, header, payload);
        var second = await RawHttpUpload.PostAsync(Address, header, payload);
        Assert.Equal(fingerprint, first.Image.ImageId);
        Assert.False(first.Image.AlreadyKnown);
        Assert.True(second.Image.AlreadyKnown);
    }

    public static TheoryData<string, ImageHeader, byte[]> RefusedUploads() => new()
    {
        { "a fingerprint not matching the data", UploadTests.WithFingerprint(Header([2, 2, 1]), new string('a', 64)), Float32Payload(1, 2, 3, 4) },
        { "a NaN voxel", Header([2, 2, 1]), Float32Payload(1, float.NaN, 2, 3) },
        { "an infinite voxel", Header([2, 2, 1]), Float32Payload(1, 2, float.NegativeInfinity, 3) },
        { "more bytes than the dims hold", Header([2, 2, 1]), new byte[20] },
        { "two dims", Header([4, 4]), new byte[64] },
    };

    [Theory]
    [MemberData(nameof(RefusedUploads))]
    public async Task A_bad_upload_is_400_INVALID_ARGUMENT_with_a_sentence_and_stores_nothing(string what, ImageHeader header, byte[] payload)
    {
        int before = server.Server.Sidecar.Images.Count;
        var reply = await RawHttpUpload.PostAsync(Address, header, payload);
        Assert.True(reply.Status == 400, $"{what}: HTTP {reply.Status} {reply.Text}");
        Assert.Equal("INVALID_ARGUMENT", reply.Code);
        Assert.Contains("detail", reply.Text);
        Assert.Equal(before, server.Server.Sidecar.Images.Count);
    }

    [Fact]
    public async Task An_image_over_the_upload_limit_is_refused_before_a_single_voxel_is_sent()
    {
        var header = Header([540, 540, 1]); // within the test server's 300 000 voxels, but 1.1 MB of float32 over its 1 MiB
        using var upload = await RawHttpUpload.StartAsync(Address, header, 540 * 540 * 4);
        var reply = await upload.ReadReplyAsync();
        Assert.Equal(429, reply.Status);
        Assert.Equal("RESOURCE_EXHAUSTED", reply.Code);
        Assert.Contains("accepts in one upload", reply.Text);
    }

    [Fact]
    public async Task A_body_cut_short_stores_nothing_and_gives_its_slot_and_memory_back()
    {
        var (header, payload) = Encode(Brain3D(seed: 33).Image);
        using (var upload = await RawHttpUpload.StartAsync(Address, header, payload.Length))
        {
            Assert.Equal(100, (await upload.ReadReplyAsync()).Status);
            await upload.SendAsync(payload[..(payload.Length / 2)]);
            upload.Close();
        }
        for (int n = 0; n < 200 && (server.Server.Sidecar.Uploads.InUse > 0 || server.Server.Sidecar.Budget.Used(MemoryUse.Uploads) > 0); n++) await Task.Delay(25);
        Assert.Equal(0, server.Server.Sidecar.Uploads.InUse);
        Assert.Equal(0, server.Server.Sidecar.Budget.Used(MemoryUse.Uploads));
        Assert.Null(server.Server.Sidecar.Images.Find(header.Fingerprint));
    }

    public static TheoryData<string, string, int> MalformedRequests() => new()
    {
        { "no request line", "GARBAGE\r\n\r\n", 400 },
        { "Content-Length given twice", "POST /v1/images HTTP/1.1\r\nContent-Length: 16\r\nContent-Length: 1600\r\n\r\n", 400 },
        { "a header line without a colon", "POST /v1/images HTTP/1.1\r\nContent-Length 16\r\n\r\n", 400 },
        { "another method", "GET /v1/images HTTP/1.1\r\nHost: x\r\n\r\n", 501 },
        { "a base64 header that is no ImageHeader", "POST /v1/images HTTP/1.1\r\nOaims-Image-Header: ////\r\nContent-Length: 16\r\n\r\n", 400 },
    };

    [Theory]
    [MemberData(nameof(MalformedRequests))]
    public async Task A_malformed_request_gets_a_status_and_a_sentence_and_the_endpoint_keeps_serving(string what, string request, int status)
    {
        var reply = await RawHttpUpload.SendRawAsync(Address, request);
        Assert.True(reply.Status == status, $"{what}: HTTP {reply.Status} {reply.Text}");
        Assert.Contains("detail", reply.Text);
        var (header, payload) = Encode(Brain2D(seed: 34).Image);
        Assert.Equal(200, (await RawHttpUpload.PostAsync(Address, header, payload)).Status);
    }

    [Fact]
    public async Task A_request_for_another_path_is_404_and_a_missing_image_header_is_400()
    {
        using (var other = new HttpClient())
        {
            var response = await other.PostAsync(new Uri(Address, "/v1/other"), new ByteArrayContent([1, 2, 3]));
            Assert.Equal(404, (int)response.StatusCode);
        }
        using var client = new HttpClient();
        var missing = await client.PostAsync(Address, new ByteArrayContent([1, 2, 3]));
        Assert.Equal(400, (int)missing.StatusCode);
        Assert.Contains("Oaims-Image-Header", await missing.Content.ReadAsStringAsync());
    }
}
