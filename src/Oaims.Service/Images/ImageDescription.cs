namespace Oaims.Service.Images;

/// <summary>Voxel types an upload may carry (numbers as on the wire).</summary>
public enum UploadVoxelType { UInt8 = 1, Int16 = 2, Float32 = 3 }

/// <summary>What an upload declares before its voxels arrive: shape, channels, voxel type, geometry, and optionally its fingerprint.</summary>
public sealed record ImageDescription(int[] Dims, int Channels, UploadVoxelType VoxelType, double[] IjkToRas, string? Fingerprint, string? Name)
{
    public const int MaxChannels = 4;

    /// <summary>Longest display name, in characters.</summary>
    public const int MaxNameLength = 256;

    public long VoxelCount => DeclaredSize.Product(long.MaxValue, $"The dims {Shape} hold more voxels than a 64-bit count.", Dims[0], Dims[1], Dims[2]);

    public int BytesPerVoxel => VoxelType switch { UploadVoxelType.UInt8 => 1, UploadVoxelType.Int16 => 2, _ => 4 };

    public long PayloadBytes => DeclaredSize.Product(long.MaxValue, $"The image {Shape} holds more bytes than a 64-bit count.", VoxelCount, Channels, BytesPerVoxel);

    string Shape => string.Join("x", Dims);

    /// <summary>What the image costs once stored: float32 voxels of every channel and its name.</summary>
    public long StoredBytes => VoxelCount * Channels * sizeof(float) + sizeof(char) * (long)(Name?.Length ?? 0);

    /// <summary>Checks the description against the limits; throws ArgumentException (bad shape) or LimitExceededException (too big).</summary>
    public void Validate(ServiceLimits limits)
    {
        if (Dims.Length != 3) throw new ArgumentException($"An image has three dims (i, j, k; k = 1 for 2D), got {Dims.Length}.");
        if (Dims.Any(d => d < 1)) throw new ArgumentException($"Every dim must be at least 1, got {string.Join("x", Dims)}.");
        if (Channels is < 1 or > MaxChannels) throw new ArgumentException($"An image has 1 to {MaxChannels} channels, got {Channels}.");
        if (!Enum.IsDefined(VoxelType)) throw new ArgumentException($"Voxel type {(int)VoxelType} is not supported: use uint8, int16 or float32.");
        if (IjkToRas.Length != 16) throw new ArgumentException($"The IJK-to-RAS matrix has 16 values (4x4, row-major), got {IjkToRas.Length}.");
        if (IjkToRas.Any(v => !double.IsFinite(v))) throw new ArgumentException("The IJK-to-RAS matrix holds a value that is not a finite number.");
        long voxels = DeclaredSize.Product(limits.MaxVoxels,
            $"The image {Shape} has more voxels than the {limits.MaxVoxels} this server accepts.", Dims[0], Dims[1], Dims[2]);
        DeclaredSize.Product(limits.MaxUploadBytes,
            $"The image {Shape} of {Channels} channel(s) needs more bytes than the {limits.MaxUploadBytes} this server accepts in one upload.", voxels, Channels, BytesPerVoxel);
        if (Fingerprint is { Length: > 0 } f && !ImageFingerprint.IsWellFormed(f))
            throw new ArgumentException("The fingerprint must be 64 lowercase hex digits (SHA-256).");
        if (Name is { } name && (name.Length > MaxNameLength || name.Any(char.IsControl)))
            throw new ArgumentException($"The image name {UserInput.Quote(name)} is not allowed: use at most {MaxNameLength} characters and no control characters.");
    }

    public static double[] Identity { get; } = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
}
