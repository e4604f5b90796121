using System.CommandLine;
using Oaims.Service;
using Serilog.Events;
using static Oaims.Cli.CliOptions;

namespace Oaims.Cli;

/// <summary>
/// `oaims serve`: the gRPC sidecar. Loads every checkpoint under --models (each gets a default workspace named after it),
/// listens on --address (loopback by default), and prints one parseable line on stdout once it serves (models loaded):
/// <c>OAIMS listening on http://127.0.0.1:PORT</c>. Logs go to stderr (and to --log-json as compact JSON events).
/// </summary>
public static class ServeCommand
{
    /// <summary>The stdout line announcing the bound address; scripts and tests parse it (docs/protocol.md).</summary>
    public const string ListeningPrefix = "OAIMS listening on ";

    /// <summary>The stdout line (after the listening line) announcing MONAI Label's REST API when --http is given.</summary>
    public const string RestPrefix = "OAIMS REST (MONAI Label API) on ";

    public static Command Create()
    {
        var defaults = new ServiceLimits();
        var models = WithDefault("--models", "models", "folder of checkpoints; each gets a default workspace named after it");
        var address = WithDefault("--address", "127.0.0.1:50051", "host:port to listen on; port 0 picks a free port. Non-loopback needs --tls-cert/--tls-key and --token, or --insecure");
        var device = WithDefault("--device", "auto", "auto (CUDA when LibTorch reports it), cpu or cuda");
        var logJson = Optional("--log-json", "also write structured log events as compact JSON to this file");
        var logLevel = WithDefault("--log-level", LogEventLevel.Information, "console log level: Verbose, Debug, Information, Warning, Error");
        var tlsCert = Optional("--tls-cert", "TLS certificate (PEM)");
        var tlsKey = Optional("--tls-key", "TLS private key (PEM)");
        var token = Optional("--token", "bearer token clients must send (default: $OAIMS_TOKEN; none on loopback if unset)");
        var insecure = new Option<bool>("--insecure") { Description = "allow a non-loopback address without TLS or token (logged as a warning)" };
        var checkpoints = WithDefault("--checkpoints", "workspaces", "root folder for SaveCheckpoint/ExportCheckpoint; each workspace's own state is kept under ROOT/live/ and restored at start");
        var strategy = WithDefault("--strategy", "pi+mi", "adaptation strategy of the default workspaces");
        var threads = new Option<int?>("--threads") { Description = "torch intra-op threads (default: every core)" };
        var maxUploadMb = WithDefault("--max-upload-mb", (int)(defaults.MaxUploadBytes >> 20), "largest upload payload (MiB)");
        var maxVoxels = WithDefault("--max-voxels", defaults.MaxVoxels, "largest image in voxels (i*j*k)");
        var maxMessageMb = WithDefault("--max-message-mb", defaults.MaxMessageBytes >> 20, "largest gRPC message (MiB)");
        var maxSessions = WithDefault("--max-sessions", defaults.MaxSessions, "open sessions across the server");
        var queue = WithDefault("--queue", defaults.QueueCapacity, "requests that may wait for one workspace's worker (beyond: RESOURCE_EXHAUSTED)");
        var lease = WithDefault("--lease-seconds", defaults.DefaultLeaseSeconds, "default idle timeout of a session");
        var memoryBudgetMb = WithDefault("--memory-budget-mb", defaults.MemoryBudgetBytes >> 20,
            "memory for stored images, uploads, sessions and workspaces together (MiB; default: half of this machine's or container's memory, at most 64 GiB); the least recently used images are evicted to make room, beyond: RESOURCE_EXHAUSTED");
        var snapshotMb = WithDefault("--snapshot-mb", defaults.SnapshotBytesPerWorkspace >> 20,
            "undo snapshots each workspace may keep (MiB; at least two are kept); 256 keeps the last 11 versions of the shipped models");
        var maxUploads = WithDefault("--max-uploads", defaults.MaxConcurrentUploads, "uploads in progress at once (beyond: RESOURCE_EXHAUSTED)");
        var datastore = Optional("--datastore", "a MONAI Label-style folder of images (labels/final/ for accepted labels): the server hands out images to label and keeps every label; OAIMS's own records go under DIR/.oaims/");
        var http = Optional("--http", "host:port to also serve MONAI Label's REST API on (HTTP/1.1; off by default; same rules as --address: loopback unless TLS and token)");
        var uploadAddress = WithDefault("--upload-address", "auto",
            "host:port of the HTTP/1.1 upload endpoint (POST /v1/images; clients learn its port from GetCapabilities): auto = beside a loopback --address on a free port, off = none; same rules as --address");
        var uploadIdle = WithDefault("--upload-idle-seconds", defaults.UploadIdleSeconds, "an upload that sends nothing for this long is abandoned (ABORTED)");

        var command = new Command("serve", "Run the gRPC sidecar that owns the models and adapts them from the users' clicks.");
        foreach (var o in new Option[] { models, address, device, logJson, logLevel, tlsCert, tlsKey, token, insecure, checkpoints, strategy, threads,
                                         maxUploadMb, maxVoxels, maxMessageMb, maxSessions, queue, lease, memoryBudgetMb, snapshotMb, maxUploads, uploadIdle, datastore, http, uploadAddress })
            command.Options.Add(o);
        command.SetAction(async (parse, cancellation) =>
        {
            var options = new SidecarOptions
            {
                Address = parse.GetValue(address)!, ModelsFolder = parse.GetValue(models), Device = parse.GetValue(device)!,
                LogJsonPath = parse.GetValue(logJson), ConsoleLevel = parse.GetValue(logLevel),
                TlsCertificate = parse.GetValue(tlsCert), TlsKey = parse.GetValue(tlsKey),
                Token = parse.GetValue(token) ?? Environment.GetEnvironmentVariable("OAIMS_TOKEN"),
                Insecure = parse.GetValue(insecure), CheckpointRoot = parse.GetValue(checkpoints)!, DefaultStrategy = parse.GetValue(strategy)!,
                Threads = parse.GetValue(threads), DatastoreFolder = parse.GetValue(datastore), HttpAddress = parse.GetValue(http),
                UploadAddress = parse.GetValue(uploadAddress)!,
                Limits = defaults with
                {
                    MaxUploadBytes = (long)parse.GetValue(maxUploadMb) << 20, MaxVoxels = parse.GetValue(maxVoxels),
                    MaxMessageBytes = parse.GetValue(maxMessageMb) << 20, MaxSessions = parse.GetValue(maxSessions),
                    QueueCapacity = parse.GetValue(queue), DefaultLeaseSeconds = parse.GetValue(lease),
                    MaxLeaseSeconds = Math.Max(defaults.MaxLeaseSeconds, parse.GetValue(lease)),
                    MemoryBudgetBytes = parse.GetValue(memoryBudgetMb) << 20, SnapshotBytesPerWorkspace = parse.GetValue(snapshotMb) << 20,
                    MaxConcurrentUploads = parse.GetValue(maxUploads), UploadIdleSeconds = parse.GetValue(uploadIdle),
                },
            };
            return await RunAsync(options, cancellation);
        });
        return command;
    }

    static async Task<int> RunAsync(SidecarOptions options, CancellationToken cancellation)
    {
        RunningSidecar server;
        try
        {
            server = await SidecarHost.StartAsync(options, cancellation);
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException
                                      or Learning.TorchUnavailableException or System.Security.Cryptography.CryptographicException)
        {
            Console.Error.WriteLine($"oaims: {e.Message}");
            return 2;
        }
        await using (server)
        {
            Console.Out.WriteLine(ListeningPrefix + server.Address.ToString().TrimEnd('/'));
            if (server.HttpAddress is { } rest) Console.Out.WriteLine(RestPrefix + rest.ToString().TrimEnd('/'));
            Console.Out.Flush();
            try { await server.WaitForShutdownAsync(cancellation); }
            catch (OperationCanceledException) { }
        }
        return 0;
    }

    /// <summary>A sidecar inside this process on a free loopback port (the demo and the benchmark without --server).</summary>
    public static Task<RunningSidecar> StartEmbeddedAsync(string? modelsFolder, string device = "auto", string strategy = "pi+mi") =>
        SidecarHost.StartAsync(new SidecarOptions
        {
            Address = "127.0.0.1:0", ModelsFolder = modelsFolder, Device = device, DefaultStrategy = strategy, ConsoleLevel = LogEventLevel.Warning,
            PersistWorkspaces = false, // a throwaway server: nothing of it should come back in the next run
        });
}
