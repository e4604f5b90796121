namespace Oaims.Imaging;

/// <summary>Upper bounds a reader enforces before it allocates anything a header asks for.</summary>
/// <param name="MaxDataBytes">
/// Largest voxel payload (bytes as stored, all channels) a file may declare. Also capped by the
/// largest .NET array, since the payload is read into one buffer.
/// </param>
public sealed record ReadLimits(long MaxDataBytes = ReadLimits.DefaultMaxDataBytes)
{
    public const long DefaultMaxDataBytes = 2L * 1024 * 1024 * 1024;

    /// <summary>The limits readers use when the caller passes none.</summary>
    public static ReadLimits Default { get; set; } = new();

    internal long EffectiveMaxDataBytes => Math.Min(MaxDataBytes, Array.MaxLength);
}
