using System.CommandLine;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using static Oaims.Cli.CliOptions;

namespace Oaims.Cli;

/// <summary>What `oaims health` found: its exit code (0 SERVING, 1 anything else) and the one line it prints.</summary>
public sealed record HealthReply(int ExitCode, string Line);

/// <summary>
/// `oaims health --server URL [--ca FILE | --insecure-skip-verify]`: asks a sidecar's grpc.health.v1 service whether it
/// serves. For probes that cannot speak gRPC over TLS themselves (Kubernetes' grpc probe has no TLS): exit code 0 when
/// SERVING, 1 otherwise (NOT_SERVING, no answer, certificate refused), 2 for bad arguments; one line either way.
/// </summary>
public static class HealthCommand
{
    public static Command Create()
    {
        var server = Required("--server", "sidecar URL, e.g. https://127.0.0.1:50051");
        var ca = Optional("--ca", "PEM file of the certificate authority the server's certificate must chain to (its name is not checked on a loopback address)");
        var skipVerify = new Option<bool>("--insecure-skip-verify") { Description = "accept any server certificate (the check sends no secret)" };
        var timeout = WithDefault("--timeout-seconds", 5, "give up after this long (exit code 1)");
        var command = new Command("health", "Ask a sidecar whether it serves (grpc.health.v1): exit code 0 when SERVING, 1 otherwise.");
        foreach (var o in new Option[] { server, ca, skipVerify, timeout }) command.Options.Add(o);
        command.SetAction(async (parse, cancellation) =>
        {
            HealthReply reply;
            try
            {
                reply = await CheckAsync(ParseServer(parse.GetValue(server)!), parse.GetValue(ca), parse.GetValue(skipVerify),
                    TimeSpan.FromSeconds(parse.GetValue(timeout)), cancellation);
            }
            catch (Exception e) when (e is ArgumentException or IOException or System.Security.Cryptography.CryptographicException)
            {
                reply = new HealthReply(2, $"oaims: {e.Message}");
            }
            (reply.ExitCode == 0 ? Console.Out : Console.Error).WriteLine(reply.Line);
            return reply.ExitCode;
        });
        return command;
    }

    /// <summary>Calls Check once; throws ArgumentException (or IOException for the CA file) for arguments that cannot work.</summary>
    public static async Task<HealthReply> CheckAsync(Uri server, string? caFile, bool skipVerify, TimeSpan timeout, CancellationToken cancellation = default)
    {
        if (caFile is not null && skipVerify) throw new ArgumentException("Give --ca or --insecure-skip-verify, not both.");
        if ((caFile is not null || skipVerify) && server.Scheme != Uri.UriSchemeHttps)
            throw new ArgumentException($"--ca and --insecure-skip-verify are for an https:// server, not {server}.");
        using var handler = new SocketsHttpHandler();
        if (caFile is not null) handler.SslOptions.RemoteCertificateValidationCallback = TrustingOnly(LoadAuthorities(caFile), IsLoopback(server));
        else if (skipVerify) handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        using var channel = GrpcChannel.ForAddress(server, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = false });
        try
        {
            var response = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow + timeout, cancellationToken: cancellation);
            return response.Status == HealthCheckResponse.Types.ServingStatus.Serving
                ? new HealthReply(0, $"SERVING: {server}")
                : new HealthReply(1, $"{WireName(response.Status)}: {server} is not serving (still loading, or a workspace's worker stopped; its log says which)");
        }
        catch (RpcException e)
        {
            return new HealthReply(1, $"oaims health: no answer from {server}: {e.StatusCode}, {e.Status.Detail}");
        }
    }

    // As grpc.health.v1 spells them, which is what operators search the documentation for.
    static string WireName(HealthCheckResponse.Types.ServingStatus status) => status switch
    {
        HealthCheckResponse.Types.ServingStatus.NotServing => "NOT_SERVING",
        HealthCheckResponse.Types.ServingStatus.ServiceUnknown => "SERVICE_UNKNOWN",
        _ => "UNKNOWN",
    };

    static Uri ParseServer(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new ArgumentException($"--server needs an http:// or https:// URL, got '{value}'.");

    static X509Certificate2Collection LoadAuthorities(string caFile)
    {
        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPemFile(caFile);
        return authorities.Count > 0 ? authorities : throw new ArgumentException($"{caFile} holds no PEM certificate.");
    }

    static bool IsLoopback(Uri server) => server.IsLoopback || (IPAddress.TryParse(server.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    // The chain must end at one of the given authorities. The name must match too, except on loopback: a probe inside the
    // pod connects to 127.0.0.1, which the certificate rarely names, and no network lies between the two ends.
    static RemoteCertificateValidationCallback TrustingOnly(X509Certificate2Collection authorities, bool loopback) => (_, certificate, presented, errors) =>
    {
        if (certificate is null) return false;
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) && !loopback) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
            foreach (var element in presented.ChainElements) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    };
}
