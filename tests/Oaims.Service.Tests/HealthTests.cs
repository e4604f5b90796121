using System.CommandLine;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Oaims.Cli;
using Oaims.Service.V1;
using static Grpc.Health.V1.HealthCheckResponse.Types;

namespace Oaims.Service.Tests;

/// <summary>grpc.health.v1 and `oaims health` against servers of their own (a stopped worker turns a whole server NOT_SERVING).</summary>
public sealed class HealthTests : IAsyncLifetime
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    readonly string _root = Path.Combine(Path.GetTempPath(), $"oaims-health-{Guid.NewGuid():N}");
    RunningSidecar _server = null!;
    GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        _server = await SidecarHost.StartAsync(ServerFixture.Options(_root));
        _channel = GrpcChannel.ForAddress(_server.Address);
    }

    async Task<ServingStatus> StatusAsync() => (await new Health.HealthClient(_channel).CheckAsync(new HealthCheckRequest())).Status;

    // A fault of the worker thread itself (not of a request): an interrupt lands when the worker next waits for work.
    async Task StopWorkerAsync(string workspace)
    {
        var worker = _server.Sidecar.Workspace(workspace).Worker;
        _ = worker.Post(() => Thread.CurrentThread.Interrupt());
        for (int n = 0; n < 200 && worker.IsAlive; n++) await Task.Delay(20);
        Assert.False(worker.IsAlive);
    }

    [Fact]
    public async Task A_started_server_is_serving_and_oaims_health_exits_0()
    {
        Assert.Equal(ServingStatus.Serving, await StatusAsync());
        var reply = await HealthCommand.CheckAsync(_server.Address, null, false, Timeout);
        Assert.Equal(0, reply.ExitCode);
        Assert.StartsWith("SERVING", reply.Line);
    }

    [Fact]
    public async Task A_sidecar_is_not_serving_until_its_models_and_workspaces_are_loaded()
    {
        using var sidecar = new Sidecar(ServerFixture.Options(Path.Combine(_root, "second")), TorchSharp.torch.CPU, NullLogger<Sidecar>.Instance);
        Assert.Contains("loading", sidecar.NotServingReason);
        await sidecar.LoadAsync();
        Assert.Null(sidecar.NotServingReason);
        Assert.Equal(2, sidecar.Workspaces.Count);
    }

    [Fact]
    public async Task A_stopped_worker_makes_the_server_not_serving_and_its_requests_unavailable()
    {
        using var client = new RemoteClient(_server.Address, retryDeadline: TimeSpan.FromSeconds(1));
        var image = await client.UploadAsync(TestImages.Brain2D().Image);
        await StopWorkerAsync(TinyModels.Brain);

        Assert.Equal(ServingStatus.NotServing, await StatusAsync());
        var reply = await HealthCommand.CheckAsync(_server.Address, null, false, Timeout);
        Assert.Equal(1, reply.ExitCode);
        Assert.StartsWith("NOT_SERVING", reply.Line);
        var session = await client.OpenSessionAsync(TinyModels.Brain, image.ImageId, 1);
        var e = await Refusals.Expect(StatusCode.Unavailable, () => client.ClickAsync(session.SessionId, new Click { Axis = 2, I = 3, J = 3, Positive = true }));
        Assert.Contains("worker thread stopped", e.Status.Detail);
        await client.CloseSessionAsync(session.SessionId); // housekeeping still runs: the session and its memory go
        Assert.Equal(0, _server.Sidecar.Sessions.Count);
    }

    [Fact]
    public async Task Oaims_health_exits_1_when_nothing_answers()
    {
        var address = _server.Address;
        await _server.StopAsync();
        var reply = await HealthCommand.CheckAsync(address, null, false, TimeSpan.FromSeconds(3));
        Assert.Equal(1, reply.ExitCode);
        Assert.Contains("no answer", reply.Line);
    }

    [Fact]
    public async Task Oaims_health_checks_a_tls_server_against_the_given_authority()
    {
        string folder = Directory.CreateDirectory(Path.Combine(_root, "tls")).FullName;
        var (certificatePath, keyPath, certificate) = TestCertificates.SelfSigned(folder);
        certificate.Dispose();
        var options = ServerFixture.Options(Path.Combine(_root, "tls-server")) with { TlsCertificate = certificatePath, TlsKey = keyPath };
        await using var tls = await SidecarHost.StartAsync(options);

        Assert.Equal(0, (await HealthCommand.CheckAsync(tls.Address, certificatePath, false, Timeout)).ExitCode);
        Assert.Equal(0, (await HealthCommand.CheckAsync(tls.Address, null, true, Timeout)).ExitCode);
        var untrusted = await HealthCommand.CheckAsync(tls.Address, null, false, Timeout); // the system's authorities do not know it
        Assert.Equal(1, untrusted.ExitCode);
        Assert.Contains("no answer", untrusted.Line);
    }

    [Fact]
    public async Task Oaims_health_with_tls_options_for_a_cleartext_server_exits_2()
    {
        var root = new RootCommand { HealthCommand.Create() };
        Assert.Equal(2, await root.Parse(["health", "--server", _server.Address.ToString(), "--insecure-skip-verify"]).InvokeAsync());
        Assert.Equal(0, await root.Parse(["health", "--server", _server.Address.ToString()]).InvokeAsync());
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _server.DisposeAsync();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
