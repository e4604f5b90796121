using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Oaims.Imaging;
using Oaims.Service.Memory;

namespace Oaims.Service.Images;

/// <summary>
/// One upload in progress: takes the voxel payload chunk by chunk, hashes it as it comes (on a thread of its own, see
/// <see cref="BackgroundFingerprint"/>), checks float voxels as they land, and at the end turns it
/// into a float32 <see cref="Volume"/>. Every check happens before the image is stored, so a bad upload leaves nothing behind.
/// Its memory is held against the budget as the bytes arrive, and given back when the upload is disposed.
/// </summary>
public sealed class ImageUpload : IDisposable
{
    readonly ImageDescription _description;
    readonly BackgroundFingerprint _fingerprint;
    readonly int _expected, _channelBytes;
    readonly MemoryReservation _memory;
    // Float32 voxels land straight in the image's own arrays (no second copy, no decode pass); uint8 and int16 are
    // widened once the payload is complete. Allocated uninitialised at full size, so no chunk is ever copied twice:
    // the pages become real memory only as bytes are written, and the reservation grows with them, so a header that
    // promises a gigabyte costs nothing until the bytes really come.
    float[][]? _floats;
    byte[]? _bytes;
    long _received, _reserved;
    // Float32 voxels are checked for NaN and infinity as they land, while they are still in the cache; the first bad one
    // is refused at Decode, after completeness and the fingerprint, as before. (Big-endian machines check at Decode.)
    long _checked;
    (int Channel, int Voxel)? _firstNonFinite;

    public ImageUpload(ImageDescription description, ServiceLimits limits, MemoryBudget budget)
    {
        description.Validate(limits);
        _description = description;
        _expected = checked((int)description.PayloadBytes);
        _channelBytes = _expected / description.Channels;
        _reserved = Math.Min(_expected, 1 << 22);
        _memory = budget.Reserve(_reserved, MemoryUse.Uploads, $"An upload of {string.Join("x", description.Dims)} x {description.Channels} channel(s) ({description.VoxelType})");
        if (description.VoxelType == UploadVoxelType.Float32)
        {
            _floats = new float[description.Channels][];
            for (int c = 0; c < _floats.Length; c++) _floats[c] = GC.AllocateUninitializedArray<float>(_channelBytes / sizeof(float));
        }
        else _bytes = GC.AllocateUninitializedArray<byte>(_expected);
        _fingerprint = new BackgroundFingerprint(description, _expected, Landed);
    }

    public long Received => _received;

    /// <summary>The next bytes of the payload.</summary>
    public void Append(ReadOnlySpan<byte> chunk)
    {
        Copy(chunk);
        Publish();
    }

    /// <summary>The next bytes of the payload, in segments as a pipe holds them (published to the hasher once, not per segment).</summary>
    public void Append(in ReadOnlySequence<byte> chunk)
    {
        foreach (var segment in chunk) Copy(segment.Span);
        Publish();
    }

    // Hands the bytes received so far to the checks that run as they land.
    void Publish()
    {
        if (_floats is { } floats && BitConverter.IsLittleEndian) CheckFinite(floats, _received & ~3L);
        _fingerprint.Landed(_received);
    }

    /// <summary>
    /// Where the next bytes go, to receive them straight into the image (no buffer between): at most
    /// <paramref name="max"/> bytes, up to the end of the current channel; then <see cref="Filled"/> with the count received.
    /// </summary>
    public Span<byte> Space(int max)
    {
        if (_received == _expected) return [];
        int channel = (int)(_received / _channelBytes), at = (int)(_received % _channelBytes);
        int n = Math.Min(max, _channelBytes - at);
        Reserve(_received + n);
        return Payload(channel).Slice(at, n);
    }

    /// <summary>The first <paramref name="count"/> bytes of the last <see cref="Space"/> now hold received payload.</summary>
    public void Filled(int count)
    {
        if (count < 0 || _received + count > _reserved) throw new ArgumentOutOfRangeException(nameof(count), "More bytes filled than the space handed out.");
        _received += count;
        Publish();
    }

    // Grows the memory held against the budget to cover the payload up to `end` (doubling, so it grows a few times only).
    void Reserve(long end)
    {
        if (end > _expected)
            throw new ArgumentException($"The upload sends more than the {_expected} bytes its header declares ({string.Join("x", _description.Dims)}, {_description.Channels} channel(s), {_description.VoxelType}).");
        if (end <= _reserved) return;
        long reserved = Math.Min(_expected, Math.Max(end, 2 * _reserved));
        _memory.Grow(reserved - _reserved);
        _reserved = reserved;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void Copy(ReadOnlySpan<byte> chunk)
    {
        Reserve(_received + chunk.Length);
        while (!chunk.IsEmpty)
        {
            var target = Payload((int)(_received / _channelBytes))[(int)(_received % _channelBytes)..];
            int n = Math.Min(target.Length, chunk.Length);
            chunk[..n].CopyTo(target);
            chunk = chunk[n..];
            _received += n;
        }
    }

    // One channel's bytes as they travel (a chunk may end inside a voxel or cross into the next channel).
    Span<byte> Payload(int channel) =>
        _floats is { } floats ? MemoryMarshal.AsBytes(floats[channel].AsSpan()) : _bytes!.AsSpan(channel * _channelBytes, _channelBytes);

    // What the hasher reads: landed bytes, up to the end of their channel.
    ReadOnlySpan<byte> Landed(long offset, long end)
    {
        int channel = (int)(offset / _channelBytes), at = (int)(offset % _channelBytes);
        return Payload(channel).Slice(at, (int)Math.Min(end - offset, _channelBytes - at));
    }

    // Checks the whole voxels between the last check and end (a byte offset on a voxel boundary; channels hold whole voxels).
    void CheckFinite(float[][] floats, long end)
    {
        while (_checked < end && _firstNonFinite is null)
        {
            int channel = (int)(_checked / _channelBytes), at = (int)(_checked % _channelBytes) / sizeof(float);
            int count = (int)(Math.Min(end - _checked, _channelBytes - (long)at * sizeof(float)) / sizeof(float));
            if (FirstNonFinite(floats[channel].AsSpan(at, count)) is var bad and >= 0) _firstNonFinite = (channel, at + bad);
            _checked += (long)count * sizeof(float);
        }
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    float[][] DecodeChannels()
    {
        int voxels = checked((int)_description.VoxelCount);
        var channels = new float[_description.Channels][];
        for (int c = 0; c < channels.Length; c++)
        {
            var source = Payload(c);
            switch (_description.VoxelType)
            {
                case UploadVoxelType.UInt8:
                    var bytes = channels[c] = new float[voxels];
                    for (int v = 0; v < voxels; v++) bytes[v] = source[v];
                    break;
                case UploadVoxelType.Int16:
                    var shorts = channels[c] = new float[voxels];
                    for (int v = 0; v < voxels; v++) shorts[v] = BinaryPrimitives.ReadInt16LittleEndian(source[(2 * v)..]);
                    break;
                default:
                    var floats = channels[c] = _floats![c];
                    if (!BitConverter.IsLittleEndian)
                    {
                        BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<float, int>(floats.AsSpan()), MemoryMarshal.Cast<float, int>(floats.AsSpan()));
                        if (FirstNonFinite(floats) is var found and >= 0) _firstNonFinite ??= (c, found);
                    }
                    if (_firstNonFinite is (var channel, var bad) && channel == c)
                        throw new ArgumentException($"Voxel {bad} of channel {c} is {floats[bad]}: images must hold finite numbers only.");
                    break;
            }
        }
        return channels;
    }

    // The index of the first NaN or infinity (all exponent bits set), or -1; vectorised, as it reads every voxel.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static int FirstNonFinite(ReadOnlySpan<float> values)
    {
        var bits = MemoryMarshal.Cast<float, int>(values);
        var exponent = new Vector<int>(0x7F800000);
        int v = 0;
        for (; v <= bits.Length - Vector<int>.Count; v += Vector<int>.Count)
            if (Vector.EqualsAny(new Vector<int>(bits[v..]) & exponent, exponent)) break;
        for (; v < bits.Length; v++)
            if ((bits[v] & 0x7F800000) == 0x7F800000) return v;
        return -1;
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
        _floats = null;
        _bytes = null;
        _memory.Dispose();
    }
}
