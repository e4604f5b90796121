using System.Text.Json;
using global::Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Oaims.Service.Grpc;

namespace Oaims.Service.Rest;

/// <summary>
/// Turns an exception of a REST request into an HTTP status and FastAPI's {"detail": "..."} body, with the same sentence
/// and the same classification gRPC callers get (<see cref="ErrorMappingInterceptor.Classify"/>): a user's mistake is
/// a 4xx, never a 500. The body's "code" names the gRPC status (e.g. INVALID_ARGUMENT), which HTTP statuses blur.
/// </summary>
public static class RestErrors
{
    public static async Task Handle(HttpContext context, Func<Task> next, ILogger log)
    {
        try { await next(); }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            var (status, body) = Refusal(e, context.Request.Method, context.Request.Path, log);
            context.Response.Clear();
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(body);
        }
    }

    /// <summary>The HTTP status and JSON body that refuse a request of <paramref name="method"/> <paramref name="path"/> for <paramref name="e"/>, logged.</summary>
    public static (int Status, string Body) Refusal(Exception e, string method, string path, ILogger log)
    {
        var (code, message) = ErrorMappingInterceptor.Classify(e);
        int status = HttpStatus(code);
        if (code == StatusCode.Internal)
        {
            string id = Guid.NewGuid().ToString("N")[..8];
            log.LogError(e, "Internal error {ErrorId} in {Method} {Path}", id, method, path);
            message = $"The server failed on this request (error {id}; its log has the details).";
        }
        else
        {
            message = UserInput.Bounded(message);
            log.LogInformation("{Method} {Path} refused with {HttpStatus}: {Reason}", method, path, status, message);
        }
        return (status, JsonSerializer.Serialize(new { detail = message, code = CodeName(code) }));
    }

    // StatusCode.InvalidArgument -> "INVALID_ARGUMENT", as gRPC's other clients name it.
    static string CodeName(StatusCode code) =>
        string.Concat(code.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : c.ToString())).ToUpperInvariant();

    /// <summary>The HTTP status of a gRPC status code.</summary>
    public static int HttpStatus(StatusCode code) => code switch
    {
        StatusCode.InvalidArgument or StatusCode.OutOfRange => 400,
        StatusCode.Unauthenticated => 401,
        StatusCode.PermissionDenied => 403,
        StatusCode.NotFound => 404,
        StatusCode.AlreadyExists or StatusCode.FailedPrecondition or StatusCode.Aborted => 409,
        StatusCode.ResourceExhausted => 429,
        StatusCode.Unimplemented => 501,
        StatusCode.Cancelled => 499,
        StatusCode.Unavailable => 503,
        StatusCode.DeadlineExceeded => 504,
        _ => 500,
    };
}
