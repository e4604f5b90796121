using System.CommandLine;
using System.Net.Security;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Oaims.Cli;
using Oaims.Service.V1;
using Serilog.Events;

namespace Oaims.Service.Tests;

/// <summary>Servers of their own (no models: fast) for the security rules.</summary>
public sealed class SecurityTests
{
    static SidecarOptions Bare(string address) => new()
    {
        Address = address, Device = "cpu", Threads = 1, ConsoleLevel = LogEventLevel.Fatal, CheckpointRoot = Directory.CreateTempSubdirectory("oaims-security-").FullName,
    };

    [Fact]
    public async Task A_non_loopback_address_without_tls_and_token_is_refused_at_startup()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => SidecarHost.StartAsync(Bare("0.0.0.0:0")));
        Assert.Contains("--insecure", e.Message);
        e = await Assert.ThrowsAsync<ArgumentException>(() => SidecarHost.StartAsync(Bare("0.0.0.0:0") with { Token = "secret" }));
        Assert.Contains("TLS", e.Message);
    }

    [Fact]
    public async Task Oaims_serve_exits_with_an_error_for_a_non_loopback_address_without_tls()
    {
        var root = new RootCommand { ServeCommand.Create() };
        int code = await root.Parse(["serve", "--address", "0.0.0.0:0", "--models", Path.GetTempPath(), "--log-level", "Fatal"]).InvokeAsync();
        Assert.Equal(2, code);
    }

    [Fact]
    public async Task Insecure_allows_a_non_loopback_address()
    {
        await using var server = await SidecarHost.StartAsync(Bare("0.0.0.0:0") with { Insecure = true });
        using var client = new RemoteClient(server.Address);
        Assert.Equal("cpu", (await client.CapabilitiesAsync()).Device);
    }

    [Fact]
    public async Task With_a_token_calls_without_it_or_with_a_wrong_one_are_unauthenticated()
    {
        await using var server = await SidecarHost.StartAsync(Bare("127.0.0.1:0") with { Token = "s3cret-token" });
        using (var anonymous = new RemoteClient(server.Address))
            await Refusals.Expect(StatusCode.Unauthenticated, () => anonymous.CapabilitiesAsync());
        using (var wrong = new RemoteClient(server.Address, token: "guess"))
            await Refusals.Expect(StatusCode.Unauthenticated, () => wrong.CapabilitiesAsync());
        using (var right = new RemoteClient(server.Address, token: "s3cret-token"))
            Assert.True((await right.CapabilitiesAsync()).TokenRequired);
    }

    [Fact]
    public async Task The_health_check_needs_no_token()
    {
        await using var server = await SidecarHost.StartAsync(Bare("127.0.0.1:0") with { Token = "s3cret-token" });
        using var channel = GrpcChannel.ForAddress(server.Address);
        var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task A_non_loopback_address_with_tls_and_token_serves_over_https()
    {
        string folder = Directory.CreateTempSubdirectory("oaims-tls-").FullName;
        var (certPath, keyPath, selfSigned) = TestCertificates.SelfSigned(folder);
        using var certificate = selfSigned;

        await using var server = await SidecarHost.StartAsync(Bare("0.0.0.0:0") with { TlsCertificate = certPath, TlsKey = keyPath, Token = "tls-token" });
        Assert.Equal("https", server.Address.Scheme);
        var handler = new HttpClientHandler
        {
            // Trust exactly this self-signed certificate.
            ServerCertificateCustomValidationCallback = (_, presented, _, errors) => presented is not null && presented.Thumbprint == certificate.Thumbprint,
        };
        using var channel = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions { HttpHandler = handler });
        var client = new Segmentation.SegmentationClient(channel);
        var headers = new Metadata { { "authorization", "Bearer tls-token" } };
        Assert.True((await client.GetCapabilitiesAsync(new GetCapabilitiesRequest(), headers)).TokenRequired);
        Directory.Delete(folder, recursive: true);
    }
}
