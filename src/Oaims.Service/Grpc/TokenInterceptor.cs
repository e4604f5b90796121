using System.Security.Cryptography;
using System.Text;
using global::Grpc.Core;

namespace Oaims.Service.Grpc;

/// <summary>
/// Requires "authorization: Bearer &lt;token&gt;" on every call when the server has a token. The health service stays
/// open so that probes (systemd, Kubernetes) need no secret. Registered after the error-mapping interceptor, so its
/// refusal becomes UNAUTHENTICATED there.
/// </summary>
public sealed class TokenInterceptor(SidecarOptions options) : CallCheckInterceptor
{
    readonly byte[]? _expected = options.Token is { Length: > 0 } token ? SHA256.HashData(Encoding.UTF8.GetBytes(token)) : null;

    protected override void Check(ServerCallContext context)
    {
        if (IsHealthCheck(context)) return;
        Verify(context.RequestHeaders.GetValue("authorization"));
    }

    /// <summary>Checks an "authorization" header value (of a gRPC call or an HTTP request) against the server's token, if it has one.</summary>
    public void Verify(string? header)
    {
        if (_expected is null) return;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            throw new AuthenticationFailedException("This server needs a token: send the header 'authorization: Bearer <token>'.");
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()));
        // Hashes of equal length, compared in constant time: response times say nothing about the token.
        if (!CryptographicOperations.FixedTimeEquals(presented, _expected))
            throw new AuthenticationFailedException("The token is not the one this server was started with.");
    }
}
