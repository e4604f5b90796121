using System.Buffers.Binary;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace Oaims.Imaging;

/// <summary>Reads and writes PNG as a one-slice volume: gray as 1 channel, colour (and palette) as 3 channels, alpha dropped.</summary>
/// <remarks>
/// Geometry: dims are [width, height, 1] with i = column and j = row (top row first), and
/// IjkToRas is the identity, so a pixel's RAS position is (column, row, 0) at 1 mm spacing.
/// There is no physical meaning to recover from a PNG, and the identity keeps pixel indices and
/// world coordinates interchangeable. 16-bit images keep their 0..65535 values; lower bit depths
/// read as 0..255 (ImageSharp scales 1-, 2- and 4-bit gray up to 8 bits).
/// </remarks>
public static class PngFile
{
    private static readonly byte[] Signature = { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };

    public static Volume Read(string path, ReadLimits? limits = null)
    {
        limits ??= ReadLimits.Default;
        var (width, height, colorType, bitDepth) = ReadHeader(path);
        bool gray = colorType is 0 or 4;
        bool wide = bitDepth == 16;
        int channels = gray ? 1 : 3;
        var type = wide ? VoxelType.UInt16 : VoxelType.UInt8;
        PayloadSize.Bytes(path, new long[] { width, height, channels }, type.Size(), type.Name(), limits);
        int n = width * height;
        var data = new float[channels][];
        for (int c = 0; c < channels; c++) data[c] = new float[n];
        try
        {
            if (gray && wide) Copy<L16>(path, n, (p, i) => data[0][i] = p.PackedValue);
            else if (gray) Copy<L8>(path, n, (p, i) => data[0][i] = p.PackedValue);
            else if (wide) Copy<Rgb48>(path, n, (p, i) => { data[0][i] = p.R; data[1][i] = p.G; data[2][i] = p.B; });
            else Copy<Rgb24>(path, n, (p, i) => { data[0][i] = p.R; data[1][i] = p.G; data[2][i] = p.B; });
        }
        catch (Exception e) when (e is SixLabors.ImageSharp.ImageFormatException or InvalidDataException or EndOfStreamException)
        {
            throw new ImageFormatException(path, "is a damaged or truncated PNG that cannot be decoded");
        }
        return new Volume(new[] { width, height, 1 }, data, Volume.Identity4(), type.Name());
    }

    /// <summary>Writes a one-slice volume with 1 (gray) or 3 (RGB) channels as 8-bit (default) or 16-bit PNG.</summary>
    /// <remarks>Values round half to even and clamp to the type's range, so a 0/1 mask stays 0/1 (not 0/255).</remarks>
    public static void Write(Volume volume, string path, VoxelType dtype = VoxelType.UInt8)
    {
        if (volume.Dims[2] != 1)
            throw new ArgumentException($"A PNG holds one slice but the volume has {volume.Dims[2]}; extract a slice first.", nameof(volume));
        if (volume.ChannelCount is not (1 or 3))
            throw new ArgumentException($"A PNG holds 1 (gray) or 3 (RGB) channels, not {volume.ChannelCount}.", nameof(volume));
        if (dtype is not (VoxelType.UInt8 or VoxelType.UInt16))
            throw new ArgumentException($"PNG stores uint8 or uint16, not {dtype.Name()}.", nameof(dtype));
        int w = volume.Dims[0], h = volume.Dims[1], n = w * h;
        var ch = volume.Channels;
        ushort V(int c, int i) => (ushort)dtype.ToStorable(ch[c][i]);
        bool wide = dtype == VoxelType.UInt16;
        AtomicFile.Write(path, gzip: false, stream =>
        {
            var encoder = new PngEncoder
            {
                ColorType = volume.ChannelCount == 1 ? PngColorType.Grayscale : PngColorType.Rgb,
                BitDepth = wide ? PngBitDepth.Bit16 : PngBitDepth.Bit8,
            };
            if (volume.ChannelCount == 1 && wide)
                Save(Enumerable.Range(0, n).Select(i => new L16(V(0, i))).ToArray(), w, h, encoder, stream);
            else if (volume.ChannelCount == 1)
                Save(Enumerable.Range(0, n).Select(i => new L8((byte)V(0, i))).ToArray(), w, h, encoder, stream);
            else if (wide)
                Save(Enumerable.Range(0, n).Select(i => new Rgb48(V(0, i), V(1, i), V(2, i))).ToArray(), w, h, encoder, stream);
            else
                Save(Enumerable.Range(0, n).Select(i => new Rgb24((byte)V(0, i), (byte)V(1, i), (byte)V(2, i))).ToArray(), w, h, encoder, stream);
        });
    }

    /// <summary>Reads the IHDR chunk ourselves so dimensions are checked before the decoder allocates anything.</summary>
    private static (int Width, int Height, int ColorType, int BitDepth) ReadHeader(string path)
    {
        Payload.RequireExists(path);
        var head = new byte[29];
        int got;
        using (var file = File.OpenRead(path))
        {
            got = 0;
            while (got < head.Length)
            {
                int r = file.Read(head, got, head.Length - got);
                if (r == 0) break;
                got += r;
            }
        }
        if (got < 8 || !head.AsSpan(0, 8).SequenceEqual(Signature))
            throw new ImageFormatException(path, "is not a PNG file: it lacks the PNG signature");
        if (got < 29 || head[12] != 'I' || head[13] != 'H' || head[14] != 'D' || head[15] != 'R')
            throw new ImageFormatException(path, "is truncated: it ends before the PNG header chunk is complete");
        long width = BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(16));
        long height = BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(20));
        if (width is < 1 or > int.MaxValue || height is < 1 or > int.MaxValue || width * height > Array.MaxLength)
            throw new ImageFormatException(path, $"declares an absurd size of {width} x {height} pixels");
        return ((int)width, (int)height, head[25], head[24]);
    }

    private static void Copy<TPixel>(string path, int n, Action<TPixel, int> store) where TPixel : unmanaged, IPixel<TPixel>
    {
        using var image = Image.Load<TPixel>(path);
        var pixels = new TPixel[n];
        image.CopyPixelDataTo(pixels);
        for (int i = 0; i < n; i++) store(pixels[i], i);
    }

    private static void Save<TPixel>(TPixel[] pixels, int w, int h, PngEncoder encoder, Stream stream) where TPixel : unmanaged, IPixel<TPixel>
    {
        using var image = Image.LoadPixelData<TPixel>(pixels, w, h);
        image.SaveAsPng(stream, encoder);
    }
}
