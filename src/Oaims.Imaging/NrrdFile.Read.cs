using System.Globalization;

namespace Oaims.Imaging;

/// <summary>Reads and writes NRRD (.nrrd with attached data, .nhdr with a detached data file), converting LPS to RAS.</summary>
/// <remarks>
/// Axes with a "none" space direction (or, without directions, a kind other than domain/space)
/// are channel axes; several must be adjacent and are flattened into one channel index, first
/// axis fastest. At most three axes may be spatial; missing ones get unit spacing along the
/// right-handed normal. Spaces understood: right-anterior-superior (RAS), left-posterior-superior
/// (LPS) and left-anterior-superior (LAS); a "space dimension" without a named space is read as RAS.
/// </remarks>
public static partial class NrrdFile
{
    public static Volume Read(string path, ReadLimits? limits = null)
    {
        limits ??= ReadLimits.Default;
        var header = NrrdHeader.Read(path);
        var type = ParseType(header.Get("type") ?? throw Missing(path, "type"), path);
        int dimension = ParseInt(header.Get("dimension") ?? throw Missing(path, "dimension"), path, "dimension");
        if (dimension is < 1 or > 16)
            throw new ImageFormatException(path, $"declares an impossible dimension of {dimension}");
        var sizes = NrrdHeader.Words(header.Get("sizes") ?? throw Missing(path, "sizes"))
            .Select(w => long.TryParse(w, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : throw new ImageFormatException(path, $"has an unreadable size '{w}'"))
            .ToArray();
        if (sizes.Length != dimension)
            throw new ImageFormatException(path, $"lists {sizes.Length} sizes for {dimension} dimensions");
        long bytes = PayloadSize.Bytes(path, sizes, type.Size(), type.Name(), limits);

        var geometry = NrrdGeometry.From(header, sizes, path);
        string encoding = (header.Get("encoding") ?? throw Missing(path, "encoding")).ToLowerInvariant();
        bool bigEndian = string.Equals(header.Get("endian"), "big", StringComparison.OrdinalIgnoreCase);
        byte[]? raw = null;
        double[]? text = null;
        var (dataPath, offset) = DataLocation(header, path);
        long byteSkip = ParseLong(header.Get("byte skip") ?? "0", path, "byte skip");
        long lineSkip = ParseLong(header.Get("line skip") ?? "0", path, "line skip");
        offset = SkipLines(dataPath, offset, lineSkip);
        switch (encoding)
        {
            case "raw":
                raw = ReadRaw(dataPath, offset, byteSkip, bytes);
                break;
            case "gzip" or "gz":
                if (byteSkip < 0) throw new ImageFormatException(path, "uses byte skip -1, which NRRD allows only for raw data");
                raw = ReadGzip(dataPath, offset, byteSkip, bytes);
                break;
            case "ascii" or "text" or "txt":
                text = ReadText(dataPath, offset, bytes / type.Size());
                break;
            default:
                throw new ImageFormatException(path, $"uses the NRRD encoding '{encoding}', which OAIMS cannot read (use raw, gzip or ascii)");
        }
        return Decode(geometry, type, bigEndian, raw, text);
    }

    private static (string Path, long Offset) DataLocation(NrrdHeader header, string path)
    {
        string? dataFile = header.Get("data file", "datafile");
        if (dataFile is null)
        {
            if (header.DataOffset is null)
                throw new ImageFormatException(path, "has no data: its header neither ends with a blank line nor names a data file");
            return (path, header.DataOffset.Value);
        }
        if (dataFile.StartsWith("LIST", StringComparison.Ordinal) || dataFile.Contains('%') || NrrdHeader.Words(dataFile).Length > 1)
            throw new ImageFormatException(path, "splits its data over several files, which OAIMS cannot read");
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string full = Path.IsPathRooted(dataFile) ? dataFile : Path.Combine(dir, dataFile);
        if (!File.Exists(full))
            throw new ImageFormatException(path, $"names a data file {dataFile} that does not exist");
        return (full, 0);
    }

    private static long SkipLines(string dataPath, long offset, long lines)
    {
        if (lines <= 0) return offset;
        using var file = new FileStream(dataPath, FileMode.Open, FileAccess.Read, FileShare.Read);
        file.Position = offset;
        long seen = 0;
        int b;
        while (seen < lines && (b = file.ReadByte()) >= 0)
            if (b == '\n') seen++;
        if (seen < lines)
            throw new ImageFormatException(dataPath, $"is truncated: it ends before the {lines} lines its header says to skip");
        return file.Position;
    }

    private static byte[] ReadRaw(string dataPath, long offset, long byteSkip, long bytes)
    {
        long length = new FileInfo(dataPath).Length;
        long start = byteSkip == -1 ? length - bytes : offset + byteSkip;
        if (byteSkip < -1) throw new ImageFormatException(dataPath, $"has an invalid byte skip of {byteSkip}");
        if (start < offset)
            throw new ImageFormatException(dataPath, $"is truncated: the header promises {bytes} bytes of voxels but only {Math.Max(0, length - offset)} follow");
        using var source = Payload.OpenAt(dataPath, start, gzip: false);
        long available = source.FileLength;
        if (available < bytes)
            throw new ImageFormatException(dataPath, $"is truncated: the header promises {bytes} bytes of voxels but only {available} follow");
        if (available > bytes)
            throw new ImageFormatException(dataPath, $"does not match its header: the header promises {bytes} bytes of voxels but {available} follow");
        return Payload.ReadExactly(source, bytes, 0);
    }

    private static byte[] ReadGzip(string dataPath, long offset, long byteSkip, long bytes)
    {
        using var source = Payload.OpenAt(dataPath, offset, gzip: true);
        if (byteSkip > source.MaxDeliverable)
            throw new ImageFormatException(dataPath, $"is truncated: its header skips {byteSkip} bytes, more than the data can hold");
        Payload.Skip(source, byteSkip, "byte skip");
        var data = Payload.ReadExactly(source, bytes, 0);
        Payload.ExpectEnd(source, bytes);
        return data;
    }

    private static double[] ReadText(string dataPath, long offset, long count)
    {
        using var source = Payload.OpenAt(dataPath, offset, gzip: false);
        // Each value takes at least two characters (digit and separator), so a shorter file is truncated.
        if (source.FileLength + 1 < 2 * count)
            throw new ImageFormatException(dataPath, $"is truncated: the header promises {count} ASCII values but the file is only {source.FileLength} bytes long");
        using var reader = new StreamReader(source.Stream);
        var values = new double[count];
        long n = 0;
        var token = new System.Text.StringBuilder();
        int c;
        while (true)
        {
            c = reader.Read();
            bool separator = c < 0 || char.IsWhiteSpace((char)c) || c == ',';
            if (!separator)
            {
                if (token.Length > 64) throw new ImageFormatException(dataPath, "has an ASCII value longer than 64 characters");
                token.Append((char)c);
                continue;
            }
            if (token.Length > 0)
            {
                if (n == count)
                    throw new ImageFormatException(dataPath, $"does not match its header: it holds more than the {count} ASCII values the header promises");
                if (!double.TryParse(token.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out values[n]))
                    throw new ImageFormatException(dataPath, $"has an unreadable ASCII value '{token}'");
                n++;
                token.Clear();
            }
            if (c < 0) break;
        }
        if (n < count)
            throw new ImageFormatException(dataPath, $"is truncated: the header promises {count} ASCII values but only {n} follow");
        return values;
    }

    private static Volume Decode(NrrdGeometry g, VoxelType type, bool bigEndian, byte[]? raw, double[]? text)
    {
        int n = g.Dims[0] * g.Dims[1] * g.Dims[2];
        int size = type.Size();
        var channels = new float[g.Channels][];
        for (int c = 0; c < g.Channels; c++)
        {
            var channel = channels[c] = new float[n];
            // Element of (spatial a before the channel axes, channel c, spatial b after) is a + inner * (c + C * b).
            long inner = g.Inner, outer = n / g.Inner, C = g.Channels;
            if (text is not null)
            {
                for (long b = 0; b < outer; b++)
                    for (long a = 0; a < inner; a++)
                        channel[a + inner * b] = (float)text[a + inner * (c + C * b)];
            }
            else if (C == 1 || inner == n)
            {
                VoxelCodec.Decode(raw!.AsSpan((int)((long)c * n * size)), type, bigEndian, 1, channel, Scaling.None);
            }
            else if (inner == 1)
            {
                VoxelCodec.Decode(raw!.AsSpan(c * size), type, bigEndian, (int)C, channel, Scaling.None);
            }
            else
            {
                for (long b = 0; b < outer; b++)
                    VoxelCodec.Decode(raw!.AsSpan((int)(inner * (c + C * b) * size)), type, bigEndian, 1,
                        channel.AsSpan((int)(inner * b), (int)inner), Scaling.None);
            }
        }
        return new Volume(g.Dims, channels, g.IjkToRas, type.Name());
    }

    private static VoxelType ParseType(string text, string path) => text.Trim().ToLowerInvariant() switch
    {
        "signed char" or "int8" or "int8_t" => VoxelType.Int8,
        "uchar" or "unsigned char" or "uint8" or "uint8_t" => VoxelType.UInt8,
        "short" or "short int" or "signed short" or "signed short int" or "int16" or "int16_t" => VoxelType.Int16,
        "ushort" or "unsigned short" or "unsigned short int" or "uint16" or "uint16_t" => VoxelType.UInt16,
        "int" or "signed int" or "int32" or "int32_t" => VoxelType.Int32,
        "uint" or "unsigned int" or "uint32" or "uint32_t" => VoxelType.UInt32,
        "longlong" or "long long" or "long long int" or "signed long long" or "signed long long int" or "int64" or "int64_t" => VoxelType.Int64,
        "ulonglong" or "unsigned long long" or "unsigned long long int" or "uint64" or "uint64_t" => VoxelType.UInt64,
        "float" => VoxelType.Float32,
        "double" => VoxelType.Float64,
        _ => throw new ImageFormatException(path, $"uses the NRRD type '{text}', which OAIMS cannot read"),
    };

    private static int ParseInt(string text, string path, string field) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : throw new ImageFormatException(path, $"has an unreadable {field} '{text}'");

    private static long ParseLong(string text, string path, string field) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) ? v : throw new ImageFormatException(path, $"has an unreadable {field} '{text}'");

    private static ImageFormatException Missing(string path, string field) =>
        new(path, $"lacks the required NRRD field '{field}'");
}
