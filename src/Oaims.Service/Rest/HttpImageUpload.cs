using System.Net.Sockets;
using System.Text;
using Google.Protobuf;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Oaims.Service.Grpc;
using Oaims.Service.Images;
using Oaims.Service.V1;

namespace Oaims.Service.Rest;

/// <summary>
/// POST /v1/images: an upload as one raw HTTP/1.1 request body, beside gRPC's UploadImage for clients whose gRPC stream
/// is slow (Python's moves about 200 MB/s on loopback, where a socket moves over 2 GB/s). The image header travels as the
/// base64 protobuf ImageHeader in the Oaims-Image-Header field, the body is the voxel payload, the reply is the ImageRef
/// (protobuf), a refusal is JSON {"detail", "code"}. It calls the same Sidecar methods as UploadImage, so the checks,
/// limits and errors are the same; <see cref="UploadListener"/> hands it the connections.
/// </summary>
public sealed class HttpImageUpload(Sidecar sidecar, TokenInterceptor token, ILogger log)
{
    public const string Path = "/v1/images";
    public const string HeaderName = "Oaims-Image-Header";
    public const string ReplyType = "application/x-protobuf";
    // Received per system call at most: large reads keep the calls few; the bytes land in the image's arrays directly.
    const int ReadBytes = 1 << 20;

    /// <summary>Serves the one request of a connection; the reply (or refusal) is written before it returns.</summary>
    public void Serve(Stream connection)
    {
        string method = "POST", target = Path;
        byte[] reply;
        int status = 200;
        string type = ReplyType;
        try
        {
            if (UploadRequestHead.Read(connection) is not { } head) return;
            (method, target) = (head.Method, head.Target);
            reply = Upload(connection, head).ToByteArray();
        }
        catch (Exception e)
        {
            string body;
            (status, body) = RestErrors.Refusal(AsUserError(e), method, target, log);
            (type, reply) = ("application/json", Encoding.UTF8.GetBytes(body));
        }
        connection.Write(Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status} {ReasonPhrases.GetReasonPhrase(status)}\r\nContent-Type: {type}\r\nContent-Length: {reply.Length}\r\nConnection: close\r\n\r\n"));
        connection.Write(reply);
        connection.Flush();
    }

    // Everything is checked before the body is asked for: a client that sent "Expect: 100-continue" learns of a refusal
    // before it sends a single voxel.
    ImageRef Upload(Stream connection, UploadRequestHead head)
    {
        if (head.Target != Path) throw new NotFoundException($"Nothing is served at {UserInput.Quote(head.Target)} here: this port takes uploads, POST {Path}.");
        if (head.Method != "POST") throw new NotOfferedException($"{UserInput.Quote(head.Method)} {Path} is not served: uploads are POST.");
        token.Verify(head.Field("authorization"));
        if (!sidecar.IsLoaded) throw new StartingException("The server is still loading its models and workspaces: try again in a moment.");
        var description = Wire.FromWire(ImageHeaderOf(head));
        description.Validate(sidecar.Limits);
        if (head.Field("transfer-encoding") is not null || !long.TryParse(head.Field("content-length"), out long length))
            throw new ArgumentException($"POST {Path} needs a Content-Length equal to the payload's {description.PayloadBytes} bytes (no chunked transfer).");
        if (length != description.PayloadBytes)
            throw new ArgumentException($"The request body has {length} bytes, but the image header declares {description.PayloadBytes} ({string.Join("x", description.Dims)}, {description.Channels} channel(s), {description.VoxelType}).");
        using var slot = sidecar.Uploads.Take();
        using var upload = sidecar.BeginUpload(description);
        upload.Append(head.BodyStart);
        if (string.Equals(head.Field("expect"), "100-continue", StringComparison.OrdinalIgnoreCase))
            connection.Write("HTTP/1.1 100 Continue\r\n\r\n"u8);
        Receive(connection, upload, description.PayloadBytes);
        var (image, known) = sidecar.CompleteUpload(upload, description);
        return Wire.ToWire(image, known);
    }

    static void Receive(Stream connection, ImageUpload upload, long expected)
    {
        while (upload.Received < expected)
        {
            int n = connection.Read(upload.Space(ReadBytes));
            if (n == 0)
                throw new ArgumentException($"The upload ended after {upload.Received} of the {expected} bytes its header declares: the connection was closed before the end of the body; nothing was stored.");
            upload.Filled(n);
        }
    }

    static ImageHeader ImageHeaderOf(UploadRequestHead head)
    {
        if (head.Field(HeaderName) is not { Length: > 0 } text)
            throw new ArgumentException($"POST {Path} needs the image header (dims, channels, voxel type) in the {HeaderName} field, as a base64-encoded protobuf ImageHeader.");
        try { return ImageHeader.Parser.ParseFrom(Convert.FromBase64String(text)); }
        catch (Exception e) when (e is FormatException or InvalidProtocolBufferException)
        {
            throw new ArgumentException($"The {HeaderName} field is not a base64-encoded protobuf ImageHeader.");
        }
    }

    // The socket's receive timeout is the idle limit: a client that sends nothing for that long has stalled; one whose
    // connection broke has cut its upload short. Neither is the server's fault.
    Exception AsUserError(Exception e)
    {
        if (e is not IOException io) return e;
        int seconds = sidecar.Limits.UploadIdleSeconds;
        for (Exception? inner = io; inner is not null; inner = inner.InnerException)
            if (inner is SocketException { SocketErrorCode: SocketError.TimedOut or SocketError.WouldBlock })
                return new UploadStalledException($"The upload sent nothing for {seconds} s and was abandoned; nothing was stored. Upload the image again.");
        return new ArgumentException($"The upload's connection broke ({io.Message}); nothing was stored.");
    }
}
