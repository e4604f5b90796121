using System.Text;
using global::Grpc.Core;
using global::Grpc.Core.Interceptors;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Oaims.Imaging;

namespace Oaims.Service.Grpc;

/// <summary>
/// The one place where exceptions become gRPC status codes with a sentence a user can act on. A failure that is not the
/// caller's fault is logged with an id and reported as INTERNAL without internals; the server keeps serving either way.
/// </summary>
public sealed class ErrorMappingInterceptor(ILogger<ErrorMappingInterceptor> log) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try { return await continuation(request, context); }
        catch (Exception e) when (e is not RpcException) { throw Map(e, context); }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try { return await continuation(requestStream, context); }
        catch (Exception e) when (e is not RpcException) { throw Map(e, context); }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try { await continuation(request, responseStream, context); }
        catch (Exception e) when (e is not RpcException) { throw Map(e, context); }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try { await continuation(requestStream, responseStream, context); }
        catch (Exception e) when (e is not RpcException) { throw Map(e, context); }
    }

    RpcException Map(Exception e, ServerCallContext context)
    {
        var (code, message) = Classify(e, context);
        if (code == StatusCode.Internal)
        {
            string id = Guid.NewGuid().ToString("N")[..8];
            log.LogError(e, "Internal error {ErrorId} in {Method}", id, context.Method);
            message = $"The server failed on this request (error {id}; its log has the details). The request changed nothing that you can see; try again.";
        }
        else
        {
            message = UserInput.Bounded(message);
            log.LogInformation("{Method} refused with {StatusCode}: {Reason}", context.Method, code, message);
        }
        return new RpcException(new Status(code, message));
    }

    /// <summary>The status code and sentence for an exception.</summary>
    public static (StatusCode Code, string Message) Classify(Exception e, ServerCallContext? context = null) => e switch
    {
        // A message of a client stream that is not protobuf (unary and server-streaming requests never get this far: UndecodableRequests).
        InvalidProtocolBufferException or DecoderFallbackException => (StatusCode.InvalidArgument, UndecodableRequests.Sentence),
        ArgumentException a => (StatusCode.InvalidArgument, Sentence(a)),
        InvalidDataException or ImageFormatException => (StatusCode.InvalidArgument, e.Message),
        NotFoundException or FileNotFoundException or DirectoryNotFoundException => (StatusCode.NotFound, e.Message),
        LeaseExpiredException => (StatusCode.FailedPrecondition, e.Message),
        LimitExceededException => (StatusCode.ResourceExhausted, e.Message),
        AuthenticationFailedException => (StatusCode.Unauthenticated, e.Message),
        AlreadyExistsException => (StatusCode.AlreadyExists, e.Message),
        UploadStalledException => (StatusCode.Aborted, e.Message),
        NotOfferedException => (StatusCode.Unimplemented, e.Message),
        StartingException or WorkspaceStoppedException => (StatusCode.Unavailable, e.Message),
        ObjectDisposedException => (StatusCode.Unavailable, "The server is shutting down."),
        // The client went away mid-call (e.g. an upload stream broken off): not a server fault.
        IOException when context is not null && context.CancellationToken.IsCancellationRequested => (StatusCode.Cancelled, "The client cancelled the call or lost the connection."),
        // The file system's own messages carry full server paths; these sentences do not.
        PathTooLongException => (StatusCode.InvalidArgument, "The path is too long for the server's file system: use shorter or fewer folder names."),
        IOException io when IsDiskFull(io) => (StatusCode.ResourceExhausted, "The server's disk is full: nothing usable was written. Free some space on it and try again."),
        UnauthorizedAccessException => (StatusCode.FailedPrecondition, "The server's file permissions do not let it use that path under its checkpoint root: choose another path, or ask its operator."),
        IOException io when IsInTheWay(io) => (StatusCode.FailedPrecondition, "A file or folder on the server is in the way of that path (a file where a folder is needed, or the reverse): choose another path."),
        // A committed session taking more clicks, a session used after it was closed, ...
        InvalidOperationException => (StatusCode.FailedPrecondition, e.Message),
        OperationCanceledException when context is not null && context.Deadline <= DateTime.UtcNow =>
            (StatusCode.DeadlineExceeded, "The deadline passed before the server could run the request (the workspace was busy); nothing was changed."),
        OperationCanceledException => (StatusCode.Cancelled, "The request was cancelled."),
        // Any other file-system failure (a corrupt checkpoint, a failing disk) is the server's.
        IOException => (StatusCode.Internal, e.Message),
        _ => (StatusCode.Internal, e.Message),
    };

    // On Linux HResult is the errno; on Windows 0x8007xxxx with the Win32 error number.
    static bool IsDiskFull(IOException e) => e.HResult is 28 /* ENOSPC */ or 122 /* EDQUOT */
        or unchecked((int)0x80070070) /* ERROR_DISK_FULL */ or unchecked((int)0x80070027) /* ERROR_HANDLE_DISK_FULL */;

    static bool IsInTheWay(IOException e) => e.HResult is 17 /* EEXIST */ or 20 /* ENOTDIR */ or 21 /* EISDIR */ or 39 /* ENOTEMPTY */
        or unchecked((int)0x800700B7) /* ERROR_ALREADY_EXISTS */ or unchecked((int)0x80070050) /* ERROR_FILE_EXISTS */ or unchecked((int)0x8007010B) /* ERROR_DIRECTORY */;

    // ArgumentException appends " (Parameter 'name')", which means nothing to a user.
    static string Sentence(ArgumentException e) =>
        e.ParamName is { } name ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;
}
