using global::Grpc.Core;
using global::Grpc.Core.Interceptors;

namespace Oaims.Service.Grpc;

/// <summary>An interceptor that checks a call before it runs (the token, readiness), the same way for every kind of call.</summary>
public abstract class CallCheckInterceptor : Interceptor
{
    /// <summary>Throws the domain exception that refuses the call; returns when it may run.</summary>
    protected abstract void Check(ServerCallContext context);

    /// <summary>Probes (systemd, Kubernetes) call the health service with no secret, and before the server is ready.</summary>
    protected static bool IsHealthCheck(ServerCallContext context) => context.Method.StartsWith("/grpc.health.v1.Health/", StringComparison.Ordinal);

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, responseStream, context);
    }
}
