namespace Oaims.Interaction;

/// <summary>Packs binary voxels 8 to a byte, least significant bit first (voxel k is bit k % 8 of byte k / 8).</summary>
public static class BitPacking
{
    public static int PackedLength(int voxels) => (voxels + 7) / 8;

    /// <summary>Packs values that are each 0 or 1; the unused high bits of the last byte stay 0.</summary>
    public static byte[] Pack(ReadOnlySpan<byte> bits)
    {
        var packed = new byte[PackedLength(bits.Length)];
        for (int k = 0; k < bits.Length; k++)
            if (bits[k] != 0) packed[k >> 3] |= (byte)(1 << (k & 7));
        return packed;
    }

    /// <summary>Unpacks <paramref name="count"/> voxels to 0/1 bytes.</summary>
    public static byte[] Unpack(ReadOnlySpan<byte> packed, int count)
    {
        if (packed.Length != PackedLength(count))
            throw new InvalidDataException($"{count} voxels pack into {PackedLength(count)} bytes, got {packed.Length}.");
        var bits = new byte[count];
        for (int k = 0; k < count; k++) bits[k] = (byte)((packed[k >> 3] >> (k & 7)) & 1);
        return bits;
    }
}
