using System.Net.Sockets;
using System.Text;
using Google.Protobuf;
using Oaims.Service.Rest;
using Oaims.Service.V1;

namespace Oaims.Service.Tests;

/// <summary>
/// A client of POST /v1/images written on a bare socket, as the Python client is, so that a test can stop after the head,
/// send half a body, or stall.
/// </summary>
public sealed class RawHttpUpload : IDisposable
{
    readonly TcpClient _tcp;
    readonly NetworkStream _stream;

    RawHttpUpload(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _stream.ReadTimeout = 30_000;
    }

    /// <summary>Connects and sends the request head (with "Expect: 100-continue"); no body yet.</summary>
    public static async Task<RawHttpUpload> StartAsync(Uri address, ImageHeader header, long contentLength, string? token = null)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port);
        var upload = new RawHttpUpload(tcp);
        string head = $"POST {HttpImageUpload.Path} HTTP/1.1\r\nHost: {address.Authority}\r\nContent-Length: {contentLength}\r\nExpect: 100-continue\r\n" +
                      $"{HttpImageUpload.HeaderName}: {Convert.ToBase64String(header.ToByteArray())}\r\n" + (token is null ? "" : $"Authorization: Bearer {token}\r\n") + "\r\n";
        await upload._stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        return upload;
    }

    /// <summary>Sends <paramref name="request"/> as it is (a malformed head, say) and reads the reply.</summary>
    public static async Task<Reply> SendRawAsync(Uri address, string request)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port);
        using var upload = new RawHttpUpload(tcp);
        await upload._stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        return await upload.ReadReplyAsync();
    }

    /// <summary>The whole exchange: head, the body once the server asks for it, the reply.</summary>
    public static async Task<Reply> PostAsync(Uri address, ImageHeader header, byte[] payload)
    {
        using var upload = await StartAsync(address, header, payload.Length);
        var reply = await upload.ReadReplyAsync();
        if (reply.Status != 100) return reply;
        await upload.SendAsync(payload);
        return await upload.ReadReplyAsync();
    }

    public Task SendAsync(byte[] bytes) => _stream.WriteAsync(bytes).AsTask();

    /// <summary>Closes the connection (e.g. in the middle of the body).</summary>
    public void Close() => _tcp.Client.Shutdown(SocketShutdown.Both);

    /// <summary>The next response: "100 Continue", or the final one with its body.</summary>
    public async Task<Reply> ReadReplyAsync()
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 4 || !(head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await _stream.ReadAsync(one) == 0) throw new EndOfStreamException("The server closed the connection without a reply.");
            head.Add(one[0]);
        }
        var lines = Encoding.ASCII.GetString(head.ToArray()).Split("\r\n");
        int status = int.Parse(lines[0].Split(' ')[1]);
        var length = lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Trim().Equals("content-length", StringComparison.OrdinalIgnoreCase))
                          .Select(p => int.Parse(p[1].Trim())).FirstOrDefault();
        var body = new byte[length];
        await _stream.ReadExactlyAsync(body);
        return new Reply(status, body);
    }

    /// <summary>A response: status and body (an ImageRef when 200, JSON {"detail", "code"} when refused).</summary>
    public sealed record Reply(int Status, byte[] Body)
    {
        public ImageRef Image => Status == 200 ? ImageRef.Parser.ParseFrom(Body) : throw new InvalidOperationException($"HTTP {Status}: {Text}");
        public string Text => Encoding.UTF8.GetString(Body);
        public string Code => System.Text.Json.JsonDocument.Parse(Body).RootElement.GetProperty("code").GetString()!;
    }

    public void Dispose() => _tcp.Dispose();
}
