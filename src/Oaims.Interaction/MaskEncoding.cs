namespace Oaims.Interaction;

/// <summary>How the labels inside a mask box are laid out before compression.</summary>
public enum MaskEncoding
{
    /// <summary>Binary labels, 8 voxels per byte, least significant bit first, voxels in box order (x fastest, then y, then z).</summary>
    BitPacked = 1,

    /// <summary>Labels 0..255, one byte per voxel, in box order.</summary>
    BytePerVoxel = 2,
}
