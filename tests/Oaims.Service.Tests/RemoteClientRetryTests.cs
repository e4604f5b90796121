using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Oaims.Cli;
using Serilog.Events;

namespace Oaims.Service.Tests;

public sealed class RemoteClientRetryTests
{
    [Fact]
    public async Task The_remote_client_waits_for_a_server_that_starts_after_it()
    {
        int port = FreePort();
        using var client = new RemoteClient(new Uri($"http://127.0.0.1:{port}"), retryDeadline: TimeSpan.FromSeconds(30));
        var call = client.CapabilitiesAsync(); // UNAVAILABLE at first: retried with backoff
        await Task.Delay(800);
        Assert.False(call.IsCompleted);
        await using var server = await SidecarHost.StartAsync(new SidecarOptions
        {
            Address = $"127.0.0.1:{port}", Device = "cpu", Threads = 1, ConsoleLevel = LogEventLevel.Fatal, CheckpointRoot = Directory.CreateTempSubdirectory("oaims-retry-").FullName,
        });
        Assert.Equal("cpu", (await call).Device);
    }

    [Fact]
    public async Task The_remote_client_gives_up_as_unavailable_after_its_deadline()
    {
        using var client = new RemoteClient(new Uri($"http://127.0.0.1:{FreePort()}"), retryDeadline: TimeSpan.FromSeconds(1));
        var e = await Assert.ThrowsAsync<RpcException>(() => client.CapabilitiesAsync());
        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
        Assert.Contains("did not answer", e.Status.Detail);
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
