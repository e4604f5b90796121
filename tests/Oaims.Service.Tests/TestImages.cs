using Google.Protobuf;
using Oaims.Cli;
using Oaims.Imaging;
using Oaims.Service.V1;
using VoxelType = Oaims.Service.V1.VoxelType;

namespace Oaims.Service.Tests;

/// <summary>Tiny phantoms and raw upload messages for the tests.</summary>
public static class TestImages
{
    public static PhantomCase Brain2D(int seed = 0) => Phantom.Generate2D(32, 32, seed);

    public static PhantomCase Brain3D(int seed = 0) => Phantom.Generate3D(24, 20, 6, seed);

    /// <summary>A 2D 3-channel image in the 8-bit range.</summary>
    public static Volume Rgb(int seed = 0)
    {
        var flat = Brain2D(seed).Image;
        var channels = Enumerable.Range(0, 3).Select(c => flat.Channels[0].Select(v => MathF.Round(v * (255 - 40 * c))).ToArray()).ToArray();
        return new Volume(flat.Dims, channels, flat.IjkToRas);
    }

    public static ImageHeader Header(int[] dims, int channels = 1, VoxelType type = VoxelType.Float32)
    {
        var header = new ImageHeader { Channels = channels, VoxelType = type };
        header.Dims.Add(dims);
        return header;
    }

    public static byte[] Float32Payload(params float[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    /// <summary>A valid header and payload of a volume, as the remote client encodes them.</summary>
    public static (ImageHeader Header, byte[] Payload) Encode(Volume image) => RemoteClient.Encode(image);

    /// <summary>Sends an upload made of whatever messages a test wants, and returns the server's answer (or throws its RpcException).</summary>
    public static async Task<ImageRef> RawUploadAsync(Segmentation.SegmentationClient client, ImageHeader? header, params byte[][] chunks)
    {
        using var call = client.UploadImage();
        try
        {
            if (header is not null) await call.RequestStream.WriteAsync(new UploadImageRequest { Header = header });
            foreach (var chunk in chunks) await call.RequestStream.WriteAsync(new UploadImageRequest { Data = ByteString.CopyFrom(chunk) });
            await call.RequestStream.CompleteAsync();
        }
        catch (Exception) { /* the server may refuse before the last write; its status is in the response */ }
        return await call.ResponseAsync;
    }
}
