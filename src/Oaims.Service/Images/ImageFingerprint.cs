using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Oaims.Service.Images;

/// <summary>
/// The content address of an image: SHA-256 of a fixed binary header and the voxel payload, so a client can compute
/// it before uploading (Python: <c>sha256(b"oaims.v1.image\n" + struct.pack("&lt;5i16d", i, j, k, channels, type, *m) + data)</c>).
/// </summary>
public sealed class ImageFingerprint : IDisposable
{
    static readonly byte[] Magic = Encoding.ASCII.GetBytes("oaims.v1.image\n");
    readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public ImageFingerprint(ImageDescription description)
    {
        _hash.AppendData(Magic);
        var header = new byte[5 * 4 + 16 * 8];
        var span = header.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(span[0..], description.Dims[0]);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], description.Dims[1]);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], description.Dims[2]);
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], description.Channels);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], (int)description.VoxelType);
        for (int m = 0; m < 16; m++) BinaryPrimitives.WriteDoubleLittleEndian(span[(20 + 8 * m)..], description.IjkToRas[m]);
        _hash.AppendData(header);
    }

    public void Append(ReadOnlySpan<byte> payload) => _hash.AppendData(payload);

    public string Finish() => Convert.ToHexStringLower(_hash.GetHashAndReset());

    /// <summary>The fingerprint of a whole image at once (the client side of the protocol, and tests).</summary>
    public static string Of(ImageDescription description, ReadOnlySpan<byte> payload)
    {
        using var fingerprint = new ImageFingerprint(description);
        fingerprint.Append(payload);
        return fingerprint.Finish();
    }

    public static bool IsWellFormed(string id) => id.Length == 64 && id.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    public void Dispose() => _hash.Dispose();
}
