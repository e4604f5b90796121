namespace Oaims.Interaction.Tests;

public class BitPackingTests
{
    [Fact]
    public void Voxels_pack_eight_to_a_byte_least_significant_bit_first()
    {
        byte[] bits = [1, 0, 1, 1, 0, 0, 0, 0, /* next byte */ 0, 1];

        // 1 + 4 + 8 = 13; the second byte holds only voxel 9, as bit 1.
        Assert.Equal([13, 2], BitPacking.Pack(bits));
    }

    [Fact]
    public void Unpacking_restores_the_voxels()
    {
        byte[] bits = [0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0];

        Assert.Equal(bits, BitPacking.Unpack(BitPacking.Pack(bits), bits.Length));
    }
}
