namespace Oaims.Service;

/// <summary>How `oaims serve` runs: where to listen, which models, which device, security, logging and limits.</summary>
public sealed record SidecarOptions
{
    /// <summary>host:port; port 0 picks a free port (the bound address is printed and returned).</summary>
    public string Address { get; init; } = "127.0.0.1:50051";
    /// <summary>A folder of checkpoints; each gets a default workspace named after it. Null: no models.</summary>
    public string? ModelsFolder { get; init; }
    /// <summary>auto, cpu or cuda.</summary>
    public string Device { get; init; } = "auto";
    /// <summary>Root under which SaveCheckpoint/ExportCheckpoint write and CreateWorkspace restores.</summary>
    public string CheckpointRoot { get; init; } = "workspaces";
    /// <summary>
    /// Keep every workspace's state on disk under CheckpointRoot/live/ (saved before a commit, rollback, reset or creation
    /// answers) and restore them all at start. Off for throwaway in-process servers (demo, bench).
    /// </summary>
    public bool PersistWorkspaces { get; init; } = true;
    /// <summary>Strategy of the default workspaces.</summary>
    public string DefaultStrategy { get; init; } = "pi+mi";
    public string? TlsCertificate { get; init; }
    public string? TlsKey { get; init; }
    /// <summary>Bearer token the clients must present; null: none required.</summary>
    public string? Token { get; init; }
    /// <summary>Allows a non-loopback address without TLS or token (logged as a warning).</summary>
    public bool Insecure { get; init; }
    /// <summary>A file for structured JSON log events (compact JSON, one per line).</summary>
    public string? LogJsonPath { get; init; }
    /// <summary>Lowest console log level (Verbose, Debug, Information, Warning, Error).</summary>
    public Serilog.Events.LogEventLevel ConsoleLevel { get; init; } = Serilog.Events.LogEventLevel.Information;
    /// <summary>Torch intra-op threads; null: every core.</summary>
    public int? Threads { get; init; }
    public ServiceLimits Limits { get; init; } = new();
    /// <summary>A MONAI Label-style folder of images whose labels the server hands out and keeps; null: no datastore.</summary>
    public string? DatastoreFolder { get; init; }
    /// <summary>host:port for MONAI Label's REST API (HTTP/1.1, same security rules as <see cref="Address"/>); null: not served.</summary>
    public string? HttpAddress { get; init; }
    /// <summary>
    /// host:port of the HTTP/1.1 upload endpoint (POST /v1/images, same security rules as <see cref="Address"/>); "auto"
    /// (the default): beside a loopback <see cref="Address"/> on a free port, none otherwise; "off": none.
    /// </summary>
    public string UploadAddress { get; init; } = "auto";
}
