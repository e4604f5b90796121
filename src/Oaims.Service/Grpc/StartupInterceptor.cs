using global::Grpc.Core;

namespace Oaims.Service.Grpc;

/// <summary>
/// While the sidecar is still loading its models and workspaces, refuses the OAIMS services with UNAVAILABLE, as a
/// server not yet listening would be: clients retry it. Health (NOT_SERVING meanwhile) and reflection stay open.
/// </summary>
public sealed class StartupInterceptor(Sidecar sidecar) : CallCheckInterceptor
{
    protected override void Check(ServerCallContext context)
    {
        if (!sidecar.IsLoaded && context.Method.StartsWith("/oaims.", StringComparison.Ordinal))
            throw new StartingException("The server is still loading its models and workspaces: try again in a moment.");
    }
}
