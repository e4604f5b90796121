namespace Oaims.Service;

/// <summary>The sizes and counts the sidecar accepts; every one is configurable, the defaults are safe for one workstation.</summary>
public sealed record ServiceLimits
{
    /// <summary>Largest voxel payload of one upload, all channels (default 1 GiB).</summary>
    public long MaxUploadBytes { get; init; } = 1L << 30;
    /// <summary>Largest image in voxels, i*j*k (default 128 Mi: a 512x512x512 volume).</summary>
    public long MaxVoxels { get; init; } = 128L << 20;
    /// <summary>Largest gRPC message either way (default 8 MiB); uploads are chunked below it.</summary>
    public int MaxMessageBytes { get; init; } = 8 << 20;
    /// <summary>Open sessions across the server.</summary>
    public int MaxSessions { get; init; } = 32;
    /// <summary>Requests that may wait for one workspace's worker.</summary>
    public int QueueCapacity { get; init; } = 16;
    /// <summary>
    /// The memory the sidecar may hold for stored images, uploads in progress, sessions and workspaces, together
    /// (default: half of this machine's or container's memory, at most 64 GiB; see <see cref="Memory.MemoryBudget"/>).
    /// </summary>
    public long MemoryBudgetBytes { get; init; } = Memory.MemoryBudget.DefaultBytes();
    /// <summary>Undo snapshots each workspace may keep, in bytes (at least two are kept whatever their size).</summary>
    public long SnapshotBytesPerWorkspace { get; init; } = Learning.Adaptation.OnlineLearner.DefaultSnapshotCapacityBytes;
    /// <summary>Uploads in progress at once; beyond: RESOURCE_EXHAUSTED.</summary>
    public int MaxConcurrentUploads { get; init; } = 8;
    /// <summary>An upload that sends no message for this long is abandoned (ABORTED) and its memory given back.</summary>
    public int UploadIdleSeconds { get; init; } = 30;
    public int DefaultLeaseSeconds { get; init; } = 600;
    public int MaxLeaseSeconds { get; init; } = 24 * 3600;
    /// <summary>Workspaces on the server (each holds a network, its optimizer state and snapshots).</summary>
    public int MaxWorkspaces { get; init; } = 16;
    /// <summary>
    /// The upload chunk clients are told to send: 80 KiB keeps each message's bytes under .NET's large-object threshold
    /// (85,000 bytes), so they are short-lived young objects in memory already in cache rather than fresh pages per
    /// chunk; from the Python client it uploaded faster than 256 KiB and 1 MiB chunks (measured 2026-11-30, docs/protocol.md).
    /// </summary>
    public int UploadChunkBytes { get; init; } = 80 << 10;
    /// <summary>Default GetMask chunk size in voxels.</summary>
    public int MaskChunkVoxels { get; init; } = 1 << 20;
    /// <summary>The smallest GetMask chunk a client may ask for: a chunk of one voxel would stream a BraTS volume for minutes.</summary>
    public const int MinMaskChunkVoxels = 4096;

    public void Validate()
    {
        if (MaxUploadBytes < 1 || MaxVoxels < 1 || MaxMessageBytes < 1024 || MaxSessions < 1 || QueueCapacity < 1
            || MemoryBudgetBytes < 1 || SnapshotBytesPerWorkspace < 0 || MaxConcurrentUploads < 1 || UploadIdleSeconds < 1
            || DefaultLeaseSeconds < 1 || MaxLeaseSeconds < DefaultLeaseSeconds || MaxWorkspaces < 1
            || UploadChunkBytes < 1 || UploadChunkBytes >= MaxMessageBytes || MaskChunkVoxels < 1)
            throw new ArgumentException("The service limits must be positive, the lease default at most its maximum, and upload chunks smaller than a message.");
        // One upload and one label volume are single arrays.
        if (MaxUploadBytes > Array.MaxLength || MaxVoxels > Array.MaxLength)
            throw new ArgumentException($"Uploads and images are limited to {Array.MaxLength} bytes and voxels on this platform.");
    }
}
