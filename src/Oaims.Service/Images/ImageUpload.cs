using System.Buffers.Binary;
using Oaims.Imaging;
using Oaims.Service.Memory;

namespace Oaims.Service.Images;

/// <summary>
/// One upload in progress: takes the voxel payload chunk by chunk, hashes it as it comes, and at the end turns it
/// into a float32 <see cref="Volume"/>. Every check happens before the image is stored, so a bad upload leaves nothing behind.
/// Its buffer is held against the memory budget as it grows, and given back when the upload is disposed.
/// </summary>
public sealed class ImageUpload : IDisposable
{
    readonly ImageDescription _description;
    readonly ImageFingerprint _fingerprint;
    readonly int _expected;
    readonly MemoryReservation _memory;
    // Grows as data arrives, so a header that promises a gigabyte costs nothing until the bytes really come.
    byte[] _payload;
    long _received;

    public ImageUpload(ImageDescription description, ServiceLimits limits, MemoryBudget budget)
    {
        description.Validate(limits);
        _description = description;
        _expected = checked((int)description.PayloadBytes);
        int initial = Math.Min(_expected, 1 << 22);
        _memory = budget.Reserve(initial, MemoryUse.Uploads, $"An upload of {string.Join("x", description.Dims)} x {description.Channels} channel(s) ({description.VoxelType})");
        _fingerprint = new ImageFingerprint(description);
        _payload = GC.AllocateUninitializedArray<byte>(initial);
    }

    public long Received => _received;

    public void Append(ReadOnlySpan<byte> chunk)
    {
        if (_received + chunk.Length > _expected)
            throw new ArgumentException($"The upload sends more than the {_expected} bytes its header declares ({string.Join("x", _description.Dims)}, {_description.Channels} channel(s), {_description.VoxelType}).");
        if (_received + chunk.Length > _payload.Length)
        {
            int length = (int)Math.Min(_expected, Math.Max(_received + chunk.Length, 2L * _payload.Length));
            _memory.Grow(length - _payload.Length);
            Array.Resize(ref _payload, length);
        }
        chunk.CopyTo(_payload.AsSpan((int)_received));
        _fingerprint.Append(chunk);
        _received += chunk.Length;
    }

    /// <summary>Checks completeness and the fingerprint the client claimed; returns the fingerprint.</summary>
    public string Finish()
    {
        if (_received != _expected)
            throw new ArgumentException($"The upload ended after {_received} of the {_expected} bytes its header declares: the stream was cut short.");
        string fingerprint = _fingerprint.Finish();
        if (_description.Fingerprint is { Length: > 0 } claimed && claimed != fingerprint)
            throw new ArgumentException($"The data does not match the fingerprint the client sent ({claimed[..12]}... vs {fingerprint[..12]}...): it was changed or corrupted on the way.");
        return fingerprint;
    }

    /// <summary>After <see cref="Finish"/>: the float32 image, its voxel values checked. Content already stored need not be decoded again.</summary>
    public Volume Decode() =>
        new(_description.Dims, DecodeChannels(), ToMatrix(_description.IjkToRas), _description.VoxelType.ToString().ToLowerInvariant());

    float[][] DecodeChannels()
    {
        int voxels = checked((int)_description.VoxelCount), size = _description.BytesPerVoxel;
        var channels = new float[_description.Channels][];
        for (int c = 0; c < channels.Length; c++)
        {
            var source = _payload.AsSpan(c * voxels * size, voxels * size);
            var values = channels[c] = new float[voxels];
            switch (_description.VoxelType)
            {
                case UploadVoxelType.UInt8:
                    for (int v = 0; v < voxels; v++) values[v] = source[v];
                    break;
                case UploadVoxelType.Int16:
                    for (int v = 0; v < voxels; v++) values[v] = BinaryPrimitives.ReadInt16LittleEndian(source[(2 * v)..]);
                    break;
                default:
                    for (int v = 0; v < voxels; v++)
                    {
                        float x = BinaryPrimitives.ReadSingleLittleEndian(source[(4 * v)..]);
                        if (!float.IsFinite(x))
                            throw new ArgumentException($"Voxel {v} of channel {c} is {x}: images must hold finite numbers only.");
                        values[v] = x;
                    }
                    break;
            }
        }
        return channels;
    }

    static double[,] ToMatrix(double[] rowMajor)
    {
        var m = new double[4, 4];
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 4; c++) m[r, c] = rowMajor[4 * r + c];
        return m;
    }

    public void Dispose()
    {
        _fingerprint.Dispose();
        _payload = [];
        _memory.Dispose();
    }
}
