using Google.Protobuf;
using global::Grpc.AspNetCore.Server;
using global::Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Oaims.Service.Grpc;

/// <summary>
/// Request bytes that are not a protobuf message become INVALID_ARGUMENT. grpc-dotnet decodes the request of a unary or
/// server-streaming call before any interceptor runs, and reports a decoding failure as UNKNOWN ("Exception was thrown
/// by handler."). This middleware wraps the gRPC endpoints: when a call ended that way (the call context keeps the
/// exception in its status) and the status has not left the server yet (a failure before the first response message
/// goes out as headers only), it rewrites the status. Messages of a client stream are decoded inside the handler, where
/// the error-mapping interceptor maps the same exceptions to the same sentence.
/// </summary>
public static class UndecodableRequests
{
    /// <summary>The sentence for a request that is not a valid protobuf message (ASCII: it travels as a raw HTTP/2 header).</summary>
    public const string Sentence = "The request is not a valid protobuf message of the type this method takes: check that the client uses the oaims.v1 .proto files.";

    public static IApplicationBuilder UseUndecodableRequests(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        await next(context);
        var call = context.Features.Get<IServerCallContextFeature>()?.ServerCallContext;
        if (call is null || call.Status.StatusCode != StatusCode.Unknown || !IsUndecodable(call.Status.DebugException)) return;
        if (context.Response.HasStarted || !context.Response.Headers.ContainsKey("grpc-status")) return; // already sent: nothing to rewrite
        context.Response.Headers["grpc-status"] = ((int)StatusCode.InvalidArgument).ToString();
        context.Response.Headers["grpc-message"] = Sentence;
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(UndecodableRequests))
            .LogInformation("{Method} refused with {StatusCode}: {Reason}", call.Method, StatusCode.InvalidArgument, Sentence);
    });

    static bool IsUndecodable(Exception? e) => e is InvalidProtocolBufferException or System.Text.DecoderFallbackException;
}
