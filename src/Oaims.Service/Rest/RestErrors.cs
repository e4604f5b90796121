using System.Text.Json;
using global::Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Oaims.Service.Grpc;

namespace Oaims.Service.Rest;

/// <summary>
/// Turns an exception of a REST request into an HTTP status and FastAPI's {"detail": "..."} body, with the same sentence
/// and the same classification gRPC callers get (<see cref="ErrorMappingInterceptor.Classify"/>): a user's mistake is
/// a 4xx, never a 500.
/// </summary>
public static class RestErrors
{
    public static async Task Handle(HttpContext context, Func<Task> next, ILogger log)
    {
        try { await next(); }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            var (code, message) = ErrorMappingInterceptor.Classify(e);
            int status = HttpStatus(code);
            if (code == StatusCode.Internal)
            {
                string id = Guid.NewGuid().ToString("N")[..8];
                log.LogError(e, "Internal error {ErrorId} in {Method} {Path}", id, context.Request.Method, context.Request.Path);
                message = $"The server failed on this request (error {id}; its log has the details).";
            }
            else
            {
                message = UserInput.Bounded(message);
                log.LogInformation("{Method} {Path} refused with {HttpStatus}: {Reason}", context.Request.Method, context.Request.Path, status, message);
            }
            context.Response.Clear();
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(JsonSerializer.Serialize(new { detail = message }));
        }
    }

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
