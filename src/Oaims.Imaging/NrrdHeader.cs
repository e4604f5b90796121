using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Oaims.Imaging;

/// <summary>The text header of a NRRD file: its fields (lower-cased names) and where the attached data begins.</summary>
internal sealed partial class NrrdHeader
{
    // No real header comes near this; it only bounds how much of a non-NRRD file we scan.
    private const int MaxHeaderBytes = 1 << 20;

    public Dictionary<string, string> Fields { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Byte offset just past the blank line that ends the header; null when the file ends first.</summary>
    public long? DataOffset { get; private set; }

    public static NrrdHeader Read(string path)
    {
        Payload.RequireExists(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var buffer = new byte[(int)Math.Min(file.Length, MaxHeaderBytes)];
        int got = 0;
        while (got < buffer.Length)
        {
            int n = file.Read(buffer, got, buffer.Length - got);
            if (n == 0) break;
            got += n;
        }
        return Parse(buffer.AsSpan(0, got), path, file.Length > got);
    }

    private static NrrdHeader Parse(ReadOnlySpan<byte> bytes, string path, bool moreFollows)
    {
        var header = new NrrdHeader();
        int pos = 0;
        bool first = true;
        while (true)
        {
            int nl = bytes[pos..].IndexOf((byte)'\n');
            if (nl < 0)
            {
                if (first || moreFollows)
                    throw new ImageFormatException(path, first ? "is not a NRRD file: it has no header line" : $"has a NRRD header longer than {MaxHeaderBytes} bytes");
                // A detached header may end without a newline or blank line.
                AddLine(header, Encoding.UTF8.GetString(bytes[pos..]).TrimEnd('\r'), path);
                return header;
            }
            string line = Encoding.UTF8.GetString(bytes.Slice(pos, nl)).TrimEnd('\r');
            pos += nl + 1;
            if (first)
            {
                if (!MagicPattern().IsMatch(line))
                    throw new ImageFormatException(path, $"is not a NRRD file: it starts with '{Shorten(line)}' instead of 'NRRD0001' to 'NRRD0005'");
                first = false;
                continue;
            }
            if (line.Length == 0)
            {
                header.DataOffset = pos;
                return header;
            }
            AddLine(header, line, path);
            if (pos >= bytes.Length)
            {
                if (moreFollows) throw new ImageFormatException(path, $"has a NRRD header longer than {MaxHeaderBytes} bytes");
                return header;
            }
        }
    }

    private static void AddLine(NrrdHeader header, string line, string path)
    {
        if (line.Length == 0 || line.StartsWith('#')) return;
        if (line.Contains(":=")) return; // key/value pairs carry no geometry
        int colon = line.IndexOf(": ", StringComparison.Ordinal);
        if (colon < 0)
            throw new ImageFormatException(path, $"has a malformed NRRD header line '{Shorten(line)}'");
        string name = line[..colon].Trim().Replace(" ", "");
        header.Fields[name] = line[(colon + 2)..].Trim();
    }

    public string? Get(params string[] names)
    {
        foreach (string name in names)
            if (Fields.TryGetValue(name.Replace(" ", ""), out var value)) return value;
        return null;
    }

    /// <summary>Parses "(x,y,z)" vectors and "none" entries, in order.</summary>
    public static List<double[]?> Vectors(string text, string path, string field)
    {
        var result = new List<double[]?>();
        foreach (Match m in VectorPattern().Matches(text))
        {
            if (m.Groups[1].Success)
            {
                var parts = m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries);
                var v = new double[parts.Length];
                for (int i = 0; i < parts.Length; i++)
                    if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out v[i]))
                        throw new ImageFormatException(path, $"has an unreadable number '{Shorten(parts[i])}' in its {field}");
                result.Add(v);
            }
            else
            {
                result.Add(null);
            }
        }
        return result;
    }

    public static string[] Words(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "...";

    [GeneratedRegex(@"^NRRD000[1-5]$")]
    private static partial Regex MagicPattern();

    [GeneratedRegex(@"\(([^)]*)\)|none", RegexOptions.IgnoreCase)]
    private static partial Regex VectorPattern();
}
