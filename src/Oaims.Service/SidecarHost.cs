using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Oaims.Learning;
using Oaims.Service.Grpc;
using Serilog;
using Serilog.Extensions.Logging;
using Serilog.Formatting.Compact;

namespace Oaims.Service;

/// <summary>A started sidecar: the address it listens on (the real port when 0 was asked for) and its state.</summary>
public sealed class RunningSidecar(WebApplication app, Sidecar sidecar, Uri address, Serilog.Core.Logger logger, Uri? httpAddress = null, Uri? uploadAddress = null) : IAsyncDisposable
{
    public Uri Address { get; } = address;
    /// <summary>Where MONAI Label's REST API is served (--http), or null.</summary>
    public Uri? HttpAddress { get; } = httpAddress;
    /// <summary>Where the HTTP/1.1 upload endpoint listens (POST /v1/images), or null.</summary>
    public Uri? UploadAddress { get; } = uploadAddress;
    public Sidecar Sidecar { get; } = sidecar;

    /// <summary>Completes when the host stops (Ctrl+C, SIGTERM, or <see cref="StopAsync"/>).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellation = default) => app.WaitForShutdownAsync(cancellation);

    public Task StopAsync() => app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        Sidecar.Dispose();
        logger.Information("Stopped");
        await logger.DisposeAsync();
    }
}

/// <summary>
/// Builds and starts the gRPC server: Kestrel on one address, the two OAIMS services, health, reflection, interceptors,
/// Serilog. The server listens first, saying NOT_SERVING (and UNAVAILABLE to the OAIMS services) while the sidecar loads
/// its models and workspaces; <see cref="StartAsync"/> returns once it serves.
/// </summary>
public static class SidecarHost
{
    public static async Task<RunningSidecar> StartAsync(SidecarOptions options, CancellationToken cancellation = default)
    {
        var address = ListenAddress.Parse(options.Address);
        var http = options.HttpAddress is { } httpText ? ListenAddress.Parse(httpText) : null;
        var upload = UploadAddress(options.UploadAddress, address);
        var warnings = address.CheckSecurity(options).Concat(http?.CheckSecurity(options) ?? []).Concat(upload?.CheckSecurity(options) ?? []).ToList();
        options.Limits.Validate();
        var logger = CreateLogger(options);
        try
        {
            foreach (string warning in warnings) logger.Warning("{SecurityWarning}", warning);
            TorchRuntime.UseThreads(options.Threads);
            var device = TorchRuntime.ResolveDevice(options.Device);
            var loggerFactory = new SerilogLoggerFactory(logger);
            var sidecar = new Sidecar(options, device, loggerFactory.CreateLogger<Sidecar>());
            logger.Information("OAIMS {Version} on device {Device} (requested {RequestedDevice}), {Threads} torch thread(s)",
                Sidecar.Version, sidecar.DeviceName, options.Device, TorchSharp.torch.get_num_threads());
            if (options.ModelsFolder is { } models && !Directory.Exists(models))
                throw new DirectoryNotFoundException($"Models folder '{models}' does not exist.");

            var app = Build(options, address, http, sidecar, logger);
            await app.StartAsync(cancellation);
            Rest.UploadListener? uploads = null;
            try
            {
                if (upload is not null)
                {
                    var endpoint = new Rest.HttpImageUpload(sidecar, new TokenInterceptor(options), loggerFactory.CreateLogger<Rest.HttpImageUpload>());
                    uploads = new Rest.UploadListener(upload, endpoint, options.Limits, Certificate(options), loggerFactory.CreateLogger<Rest.UploadListener>());
                    app.Lifetime.ApplicationStopping.Register(uploads.Dispose); // stops with the host (Ctrl+C, SIGTERM, StopAsync)
                    sidecar.HttpUploadPort = uploads.Port;
                }
                await sidecar.LoadAsync();
            }
            catch
            {
                uploads?.Dispose();
                await app.StopAsync();
                await app.DisposeAsync();
                sidecar.Dispose();
                throw;
            }
            if (options.ModelsFolder is { } folder && sidecar.Models.Count == 0)
                logger.Warning("No checkpoint found in {ModelsFolder}: clients can connect but have no model to use", folder);
            var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var uri = Reachable(bound);
            // Kestrel lists its addresses in the order they were configured: gRPC first, then the REST one.
            Uri? httpUri = http is null ? null : Reachable(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.ElementAt(1));
            if (httpUri is not null) logger.Information("MONAI Label REST API on {HttpAddress}", httpUri);
            Uri? uploadUri = uploads is null ? null
                : Reachable($"{(options.TlsCertificate is null ? "http" : "https")}://{new System.Net.IPEndPoint(upload!.Ip, uploads.Port)}{Rest.HttpImageUpload.Path}");
            if (uploadUri is not null) logger.Information("Fast uploads on {UploadAddress}", uploadUri);
            logger.Information("Listening on {Address} (TLS: {Tls}, token: {TokenRequired}, {Workspaces} workspace(s), memory budget {BudgetMiB} MiB, {UsedMiB:F1} MiB in use)",
                bound, options.TlsCertificate is not null, !string.IsNullOrEmpty(options.Token), sidecar.Workspaces.Count,
                sidecar.Budget.CapacityBytes >> 20, sidecar.Budget.UsedBytes / 1048576.0);
            return new RunningSidecar(app, sidecar, uri, logger, httpUri, uploadUri);
        }
        catch (Exception e)
        {
            logger.Fatal("Could not start: {Reason}", e.Message);
            await logger.DisposeAsync();
            throw;
        }
    }

    // The upload endpoint has a listener of its own (Rest.UploadListener says why); by default only beside a loopback
    // server, where nothing outside this machine needs to reach a second port.
    static ListenAddress? UploadAddress(string setting, ListenAddress grpc) => setting switch
    {
        "" or "auto" => grpc.IsLoopback ? grpc with { Port = 0 } : null,
        "off" => null,
        _ => ListenAddress.Parse(setting),
    };

    static Uri Reachable(string bound) =>
        new(bound.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));

    static X509Certificate2? Certificate(SidecarOptions options) =>
        options.TlsCertificate is { } cert ? X509Certificate2.CreateFromPemFile(cert, options.TlsKey) : null;

    static WebApplication Build(SidecarOptions options, ListenAddress address, ListenAddress? http, Sidecar sidecar, Serilog.ILogger logger)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        builder.Logging.ClearProviders();
        builder.Services.AddSerilog(logger, dispose: false);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Uploads are tens of megabytes. With Kestrel's default HTTP/2 windows (1 MiB per connection, 768 KiB per
            // stream) a client may send only that much before it waits a round trip for a window update, which held a
            // Python client to a tenth of a raw loopback copy (docs/benchmarks.md). Larger windows let the bytes flow;
            // what a connection may buffer unread is bounded by the connection window.
            kestrel.Limits.Http2.InitialConnectionWindowSize = 16 << 20;
            kestrel.Limits.Http2.InitialStreamWindowSize = 8 << 20;
            // HTTP/2's default 16 KiB frames cut a 1 MiB upload chunk into 64 frames, each handled on its own.
            kestrel.Limits.Http2.MaxFrameSize = 1 << 20;
            kestrel.Listen(address.Ip, address.Port, listen =>
            {
                if (options.TlsCertificate is { } cert)
                {
                    listen.Protocols = HttpProtocols.Http1AndHttp2;
                    listen.UseHttps(X509Certificate2.CreateFromPemFile(cert, options.TlsKey));
                }
                else listen.Protocols = HttpProtocols.Http2; // cleartext gRPC needs HTTP/2 with prior knowledge
            });
            if (http is not null)
                kestrel.Listen(http.Ip, http.Port, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1; // MONAI Label's clients speak HTTP/1.1
                    if (options.TlsCertificate is { } cert) listen.UseHttps(X509Certificate2.CreateFromPemFile(cert, options.TlsKey));
                });
        });
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(sidecar);
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = options.Limits.MaxMessageBytes;
            grpc.MaxSendMessageSize = options.Limits.MaxMessageBytes;
            // Order matters: the error mapper is outermost, so the token check's refusal is mapped too.
            grpc.Interceptors.Add<ErrorMappingInterceptor>();
            grpc.Interceptors.Add<TokenInterceptor>();
            grpc.Interceptors.Add<StartupInterceptor>();
        });
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks().AddCheck("sidecar", new SidecarHealthCheck(sidecar, logger));

        var app = builder.Build();
        app.UseUndecodableRequests();
        app.MapGrpcService<SegmentationService>();
        app.MapGrpcService<WorkspacesService>();
        app.MapGrpcService<DatastoreService>();
        app.MapGrpcService<PropagationService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        if (http is not null)
            new Rest.MonaiLabelApi(sidecar, new TokenInterceptor(options), app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<Rest.MonaiLabelApi>()).Map(app);
        return app;
    }

    /// <summary>Console (stderr, so stdout stays for the "listening" line) and, when asked, compact JSON events in a file.</summary>
    static Serilog.Core.Logger CreateLogger(SidecarOptions options)
    {
        var config = new LoggerConfiguration()
            .MinimumLevel.Debug()
            .MinimumLevel.Override("Microsoft", Serilog.Events.LogEventLevel.Warning)
            .MinimumLevel.Override("Grpc", Serilog.Events.LogEventLevel.Warning)
            .Enrich.FromLogContext()
            // grpc-dotnet logs a request that is no protobuf as an error with a stack trace; it is the client's mistake,
            // and UndecodableRequests logs its refusal as such.
            .Filter.ByExcluding(e => e.Exception is Google.Protobuf.InvalidProtocolBufferException or System.Text.DecoderFallbackException)
            .WriteTo.Console(restrictedToMinimumLevel: options.ConsoleLevel, standardErrorFromLevel: Serilog.Events.LogEventLevel.Verbose,
                outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}");
        if (options.LogJsonPath is { } path)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            config = config.WriteTo.File(new CompactJsonFormatter(), path, restrictedToMinimumLevel: Serilog.Events.LogEventLevel.Information);
        }
        return config.CreateLogger();
    }
}
