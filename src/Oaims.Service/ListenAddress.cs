using System.Net;

namespace Oaims.Service;

/// <summary>The address to listen on (host:port) and whether it is reachable only from this machine.</summary>
public sealed record ListenAddress(IPAddress Ip, int Port)
{
    public bool IsLoopback => IPAddress.IsLoopback(Ip);

    /// <summary>Parses "127.0.0.1:50051", "localhost:0", "[::1]:50051", "0.0.0.0:50051"; port 0 picks a free one.</summary>
    public static ListenAddress Parse(string text)
    {
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text[(colon + 1)..], out int port) || port is < 0 or > 65535)
            throw new ArgumentException($"Address '{text}' is not host:port (e.g. 127.0.0.1:50051; port 0 picks a free port).");
        string host = text[..colon].Trim('[', ']');
        IPAddress ip = host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
            : IPAddress.TryParse(host, out var parsed) ? parsed
            : throw new ArgumentException($"Host '{host}' in '{text}' is not an IP address or localhost (the server binds addresses, not names).");
        return new ListenAddress(ip, port);
    }

    /// <summary>
    /// Refuses to expose the server beyond this machine without TLS and a token, unless the operator said --insecure.
    /// Returns the warnings to log loudly.
    /// </summary>
    public IReadOnlyList<string> CheckSecurity(SidecarOptions options)
    {
        bool tls = !string.IsNullOrEmpty(options.TlsCertificate), token = !string.IsNullOrEmpty(options.Token);
        if (tls != !string.IsNullOrEmpty(options.TlsKey))
            throw new ArgumentException("TLS needs both --tls-cert and --tls-key (PEM files).");
        if (IsLoopback) return [];
        if (tls && token) return [];
        string missing = string.Join(" and ", new[] { tls ? null : "TLS (--tls-cert/--tls-key)", token ? null : "a token (--token or OAIMS_TOKEN)" }.OfType<string>());
        if (!options.Insecure)
            throw new ArgumentException($"Listening on {Ip} exposes the server beyond this machine, which needs {missing}. Give them, bind 127.0.0.1, or pass --insecure to accept the risk.");
        return [$"INSECURE: listening on {Ip}:{Port} without {missing}. Anyone who can reach this port can read uploaded images and change the models (--insecure)."];
    }
}
