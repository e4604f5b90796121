using System.IO.Compression;
using System.Numerics;

namespace Oaims.Interaction;

/// <summary>The labels of one box of a mask, packed and ZLib-compressed (RFC 1950, so Python's zlib.decompress reads it): what travels when a mask changes.</summary>
/// <remarks>
/// Applying the deltas of successive masks in order to the first mask reproduces the last one exactly: the box covers
/// every changed voxel and carries all its new labels, changed or not. A box holding only labels 0 and 1 is bit-packed,
/// anything else takes one byte per voxel (labels above 255 are refused).
/// </remarks>
public sealed record MaskDelta(VoxelBox? Box, MaskEncoding Encoding, byte[] Data)
{
    /// <summary>The delta of a mask that did not change: no box, nothing to apply.</summary>
    public static MaskDelta Empty { get; } = new(null, MaskEncoding.BitPacked, []);

    public bool IsEmpty => Box is null;

    /// <summary>The delta turning <paramref name="previous"/> into <paramref name="next"/> (the changed box and its new labels).</summary>
    /// <param name="within">Where changes may be (default: anywhere), e.g. the clicked slice.</param>
    public static MaskDelta Between<T>(ReadOnlySpan<T> previous, ReadOnlySpan<T> next, VolumeShape shape, VoxelBox? within = null)
        where T : unmanaged, IBinaryInteger<T>
    {
        var box = VoxelBox.Changed(previous, next, shape, within);
        return box is VoxelBox changed ? OfBox(next, shape, changed) : Empty;
    }

    /// <summary>The labels inside <paramref name="box"/>, whether or not they changed (used for whole-mask chunks).</summary>
    public static MaskDelta OfBox<T>(ReadOnlySpan<T> labels, VolumeShape shape, VoxelBox box) where T : unmanaged, IBinaryInteger<T>
    {
        shape.EnsureHolds(labels.Length, nameof(labels));
        shape.EnsureContains(box, nameof(box));
        var inBox = new byte[checked((int)box.VoxelCount)];
        bool binary = true;
        int i = 0;
        for (int z = box.MinZ; z <= box.MaxZ; z++)
            for (int y = box.MinY; y <= box.MaxY; y++)
                foreach (T label in labels.Slice(shape.IndexOf(box.MinX, y, z), box.Width))
                {
                    if (label < T.Zero || label > T.CreateTruncating(255))
                        throw new ArgumentException($"Label {label} does not fit in a byte.", nameof(labels));
                    byte value = byte.CreateTruncating(label);
                    binary &= value <= 1;
                    inBox[i++] = value;
                }

        var encoding = binary ? MaskEncoding.BitPacked : MaskEncoding.BytePerVoxel;
        var packed = binary ? BitPacking.Pack(inBox) : inBox;
        return new MaskDelta(box, encoding, Compress(packed));
    }

    /// <summary>Writes the box's labels into <paramref name="labels"/> in place; an empty delta changes nothing.</summary>
    public void ApplyTo<T>(Span<T> labels, VolumeShape shape) where T : unmanaged, IBinaryInteger<T>
    {
        shape.EnsureHolds(labels.Length, nameof(labels));
        if (Box is not VoxelBox box) return;
        shape.EnsureContains(box, nameof(Box));

        var inBox = Labels();
        int i = 0;
        for (int z = box.MinZ; z <= box.MaxZ; z++)
            for (int y = box.MinY; y <= box.MaxY; y++)
            {
                var row = labels.Slice(shape.IndexOf(box.MinX, y, z), box.Width);
                for (int x = 0; x < row.Length; x++) row[x] = T.CreateTruncating(inBox[i++]);
            }
    }

    /// <summary>The box's labels, one byte per voxel in box order (x fastest); data that does not fill the box exactly is refused.</summary>
    public byte[] Labels()
    {
        if (Box is not VoxelBox box) return [];
        int count = checked((int)box.VoxelCount);
        return Encoding switch
        {
            MaskEncoding.BitPacked => BitPacking.Unpack(Decompress(Data, BitPacking.PackedLength(count)), count),
            MaskEncoding.BytePerVoxel => Decompress(Data, count),
            _ => throw new InvalidDataException($"Unknown mask encoding {Encoding}."),
        };
    }

    private static byte[] Compress(byte[] raw)
    {
        using var output = new MemoryStream();
        // Fastest: the delta is on the click round trip, and label boxes compress well even so.
        using (var zlib = new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true)) zlib.Write(raw);
        return output.ToArray();
    }

    // The expected length is known from the box, so anything shorter or longer is a corrupt or mismatched delta.
    private static byte[] Decompress(byte[] data, int expectedLength)
    {
        using var zlib = new ZLibStream(new MemoryStream(data), CompressionMode.Decompress);
        var raw = new byte[expectedLength];
        try
        {
            zlib.ReadExactly(raw);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"Mask data is shorter than its box ({expectedLength} bytes).");
        }
        if (zlib.ReadByte() != -1) throw new InvalidDataException($"Mask data is longer than its box ({expectedLength} bytes).");
        return raw;
    }
}
