using System.IO.Compression;

namespace Oaims.Imaging;

/// <summary>Bounded reading of voxel payloads: every read is capped by what a header promised and checked against what the file holds.</summary>
internal static class Payload
{
    // Deflate cannot expand data more than 1032:1, so a gzip file of n bytes can never hold more
    // than this many inflated bytes; the slack covers headers and tiny files.
    private const long DeflateMaxRatio = 1032;
    private const long DeflateSlack = 64 * 1024;

    // Growing the buffer only as data actually arrives keeps a lying header (tiny file, huge
    // claim) from making us allocate the claim up front.
    private const int InitialChunk = 4 * 1024 * 1024;

    /// <summary>An opened file: the byte stream (inflated when the file is gzip) and the size on disk.</summary>
    internal sealed record Source(Stream Stream, bool Gzip, long FileLength, string Path) : IDisposable
    {
        public void Dispose() => Stream.Dispose();

        /// <summary>The most bytes this source could possibly deliver, from the file size and deflate's ratio limit.</summary>
        public long MaxDeliverable => Gzip ? FileLength * DeflateMaxRatio + DeflateSlack : FileLength;
    }

    public static void RequireExists(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{System.IO.Path.GetFileName(path)} does not exist (no file at {System.IO.Path.GetFullPath(path)}).", path);
    }

    /// <summary>Opens a file, inflating it when it starts with the gzip magic (the name is not trusted).</summary>
    public static Source Open(string path)
    {
        RequireExists(path);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            long length = file.Length;
            int b0 = file.ReadByte(), b1 = file.ReadByte();
            file.Position = 0;
            bool gzip = b0 == 0x1f && b1 == 0x8b;
            Stream stream = gzip ? new BufferedStream(new GZipStream(file, CompressionMode.Decompress), 1 << 16) : file;
            return new Source(stream, gzip, length, path);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Opens a file's bytes from <paramref name="offset"/> on, inflating them when the format says they are gzip.</summary>
    public static Source OpenAt(string path, long offset, bool gzip)
    {
        RequireExists(path);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            long length = Math.Max(0, file.Length - offset);
            file.Position = Math.Min(offset, file.Length);
            Stream stream = gzip ? new BufferedStream(new GZipStream(file, CompressionMode.Decompress), 1 << 16) : file;
            return new Source(stream, gzip, length, path);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Fills as much of <paramref name="buffer"/> as the data allows; a short count means the data ended.</summary>
    public static int ReadUpTo(Source source, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = ReadChecked(source, buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    /// <summary>Discards bytes (extensions, byte skips) without ever buffering more than a small block.</summary>
    public static void Skip(Source source, long count, string what)
    {
        Span<byte> scratch = stackalloc byte[8192];
        long left = count;
        while (left > 0)
        {
            int n = ReadChecked(source, scratch[..(int)Math.Min(left, scratch.Length)]);
            if (n == 0)
                throw new ImageFormatException(source.Path, $"is truncated: it ends {left} bytes before the {what} is over");
            left -= n;
        }
    }

    /// <summary>
    /// Reads exactly <paramref name="count"/> payload bytes. The caller has already checked
    /// <paramref name="count"/> against the configured limit; this checks it against the file.
    /// </summary>
    public static byte[] ReadExactly(Source source, long count, long alreadyConsumed)
    {
        long deliverable = source.MaxDeliverable - (source.Gzip ? 0 : alreadyConsumed);
        if (count > deliverable)
        {
            string have = source.Gzip
                ? $"its {source.FileLength} compressed bytes can inflate to at most {deliverable}"
                : $"only {Math.Max(0, deliverable)} follow";
            throw new ImageFormatException(source.Path, $"is truncated: the header promises {count} bytes of voxels but {have}");
        }

        var buffer = new byte[Math.Min(count, source.Gzip ? InitialChunk : count)];
        long filled = 0;
        while (filled < count)
        {
            if (filled == buffer.Length)
                Array.Resize(ref buffer, (int)Math.Min(count, Math.Max(buffer.LongLength * 2, InitialChunk)));
            int n = ReadChecked(source, buffer.AsSpan((int)filled, (int)(buffer.LongLength - filled)));
            if (n == 0)
                throw new ImageFormatException(source.Path, $"is truncated: the header promises {count} bytes of voxels but only {filled} follow");
            filled += n;
        }
        return buffer;
    }

    /// <summary>Fails when more data follows the promised payload (a size mismatch or a gzip bomb); reads at most one byte to find out.</summary>
    public static void ExpectEnd(Source source, long promised)
    {
        Span<byte> one = stackalloc byte[1];
        if (ReadChecked(source, one) != 0)
            throw new ImageFormatException(source.Path, source.Gzip
                ? $"inflates to more than the {promised} bytes of voxels its header promises"
                : $"holds more data than the {promised} bytes of voxels its header promises");
    }

    private static int ReadChecked(Source source, Span<byte> buffer)
    {
        try
        {
            return source.Stream.Read(buffer);
        }
        catch (InvalidDataException e)
        {
            throw new ImageFormatException(source.Path, $"is not a valid gzip stream ({e.Message.TrimEnd('.')})");
        }
    }
}
