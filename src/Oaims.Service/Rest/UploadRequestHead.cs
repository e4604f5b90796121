using System.Text;

namespace Oaims.Service.Rest;

/// <summary>
/// The head of an HTTP/1.1 request (request line and header fields) as the upload listener reads it: small and strict,
/// since one request per connection (POST /v1/images) is all that listener serves.
/// </summary>
public sealed record UploadRequestHead(string Method, string Target, IReadOnlyDictionary<string, string> Fields, byte[] BodyStart)
{
    public const int MaxBytes = 32 << 10;

    /// <summary>A header field's value, or null (names are case-insensitive).</summary>
    public string? Field(string name) => Fields.GetValueOrDefault(name);

    /// <summary>
    /// Reads up to the blank line that ends the head; bytes that came with it are the start of the body (a client that
    /// does not wait for "100 Continue"). Null when the client closed the connection before sending anything.
    /// </summary>
    public static UploadRequestHead? Read(Stream connection)
    {
        var buffer = new byte[MaxBytes];
        int filled = 0, end;
        while ((end = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (filled == buffer.Length) throw new ArgumentException($"The request head is longer than {MaxBytes} bytes.");
            int n = connection.Read(buffer, filled, buffer.Length - filled);
            if (n == 0)
                return filled == 0 ? null : throw new ArgumentException("The connection was closed in the middle of the request head.");
            filled += n;
        }
        return Parse(Encoding.Latin1.GetString(buffer, 0, end), buffer[(end + 4)..filled]);
    }

    static UploadRequestHead Parse(string head, byte[] bodyStart)
    {
        var lines = head.Split("\r\n");
        var parts = lines[0].Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
            throw new ArgumentException($"The request line {UserInput.Quote(lines[0])} is not 'METHOD /path HTTP/1.1'.");
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string line in lines.Skip(1))
        {
            int colon = line.IndexOf(':');
            if (colon <= 0 || line[0] is ' ' or '\t' || line[..colon].Any(char.IsWhiteSpace))
                throw new ArgumentException($"The header line {UserInput.Quote(line)} is not 'Name: value'.");
            // One value per name: two Content-Lengths, say, would leave the body's end in doubt.
            if (!fields.TryAdd(line[..colon], line[(colon + 1)..].Trim()))
                throw new ArgumentException($"The header field {UserInput.Quote(line[..colon])} is given twice.");
        }
        return new UploadRequestHead(parts[0], parts[1], fields, bodyStart);
    }
}
