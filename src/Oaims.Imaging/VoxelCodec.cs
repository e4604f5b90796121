using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Oaims.Imaging;

/// <summary>Linear intensity scaling stored in a header (value = raw * Slope + Inter).</summary>
internal readonly record struct Scaling(double Slope, double Inter)
{
    public static readonly Scaling None = new(1, 0);
    public bool IsIdentity => Slope == 1 && Inter == 0;
}

/// <summary>Converts between stored element bytes and float32 voxels.</summary>
internal static class VoxelCodec
{
    /// <summary>
    /// Decodes <c>dst.Length</c> elements; element n starts at byte n * stride * size of <paramref name="src"/>.
    /// </summary>
    /// <remarks>
    /// Scaling follows nibabel exactly so values match bit for bit after a float32 cast: the raw
    /// value is promoted to float64, multiplied by the slope only when it is not 1, offset by the
    /// intercept only when it is not 0, then rounded once to float32. Unscaled integers are cast
    /// straight to float32 (one rounding, as numpy's astype does).
    /// </remarks>
    public static void Decode(ReadOnlySpan<byte> src, VoxelType type, bool bigEndian, int stride, Span<float> dst, Scaling scaling)
    {
        if (type == VoxelType.Float32 && !bigEndian && stride == 1 && scaling.IsIdentity)
        {
            MemoryMarshal.Cast<byte, float>(src[..(dst.Length * 4)]).CopyTo(dst);
            return;
        }
        switch (type)
        {
            case VoxelType.UInt8: Run<U8>(src, bigEndian, stride, dst, scaling); break;
            case VoxelType.Int8: Run<I8>(src, bigEndian, stride, dst, scaling); break;
            case VoxelType.Int16: Run<I16>(src, bigEndian, stride, dst, scaling); break;
            case VoxelType.UInt16: Run<U16>(src, bigEndian, stride, dst, scaling); break;
            case VoxelType.Int32: Run<I32>(src, bigEndian, stride, dst, scaling); break;
            case VoxelType.UInt32: Run<U32>(src, bigEndian, stride, dst, scaling); break;
            case VoxelType.Int64: Run<I64>(src, bigEndian, stride, dst, scaling); break;
            case VoxelType.UInt64: Run<U64>(src, bigEndian, stride, dst, scaling); break;
            case VoxelType.Float32: Run<F32>(src, bigEndian, stride, dst, scaling); break;
            case VoxelType.Float64: Run<F64>(src, bigEndian, stride, dst, scaling); break;
            default: throw new ArgumentOutOfRangeException(nameof(type));
        }
    }

    /// <summary>Encodes voxels into elements n * stride of <paramref name="dst"/>, rounding and clamping for integer types.</summary>
    public static void Encode(ReadOnlySpan<float> src, VoxelType type, bool bigEndian, int stride, Span<byte> dst)
    {
        int size = type.Size();
        if (type == VoxelType.Float32 && !bigEndian && stride == 1)
        {
            MemoryMarshal.AsBytes(src).CopyTo(dst);
            return;
        }
        for (int n = 0; n < src.Length; n++)
        {
            var e = dst.Slice(n * stride * size, size);
            double v = type.ToStorable(src[n]);
            switch (type)
            {
                case VoxelType.UInt8: e[0] = (byte)v; break;
                case VoxelType.Int8: e[0] = (byte)(sbyte)v; break;
                case VoxelType.Int16: if (bigEndian) BinaryPrimitives.WriteInt16BigEndian(e, (short)v); else BinaryPrimitives.WriteInt16LittleEndian(e, (short)v); break;
                case VoxelType.UInt16: if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(e, (ushort)v); else BinaryPrimitives.WriteUInt16LittleEndian(e, (ushort)v); break;
                case VoxelType.Int32: if (bigEndian) BinaryPrimitives.WriteInt32BigEndian(e, (int)v); else BinaryPrimitives.WriteInt32LittleEndian(e, (int)v); break;
                case VoxelType.UInt32: if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(e, (uint)v); else BinaryPrimitives.WriteUInt32LittleEndian(e, (uint)v); break;
                case VoxelType.Int64: if (bigEndian) BinaryPrimitives.WriteInt64BigEndian(e, (long)v); else BinaryPrimitives.WriteInt64LittleEndian(e, (long)v); break;
                case VoxelType.UInt64: if (bigEndian) BinaryPrimitives.WriteUInt64BigEndian(e, (ulong)v); else BinaryPrimitives.WriteUInt64LittleEndian(e, (ulong)v); break;
                case VoxelType.Float32: if (bigEndian) BinaryPrimitives.WriteSingleBigEndian(e, (float)v); else BinaryPrimitives.WriteSingleLittleEndian(e, (float)v); break;
                case VoxelType.Float64: if (bigEndian) BinaryPrimitives.WriteDoubleBigEndian(e, v); else BinaryPrimitives.WriteDoubleLittleEndian(e, v); break;
            }
        }
    }

    private static void Run<T>(ReadOnlySpan<byte> src, bool bigEndian, int stride, Span<float> dst, Scaling scaling) where T : IElement
    {
        int step = stride * T.Size;
        if (scaling.IsIdentity)
        {
            for (int n = 0; n < dst.Length; n++) dst[n] = T.ToSingle(src.Slice(n * step, T.Size), bigEndian);
            return;
        }
        double slope = scaling.Slope, inter = scaling.Inter;
        bool mul = slope != 1, add = inter != 0;
        for (int n = 0; n < dst.Length; n++)
        {
            double v = T.ToDouble(src.Slice(n * step, T.Size), bigEndian);
            if (mul) v *= slope;
            if (add) v += inter;
            dst[n] = (float)v;
        }
    }

    private interface IElement
    {
        static abstract int Size { get; }
        static abstract float ToSingle(ReadOnlySpan<byte> e, bool bigEndian);
        static abstract double ToDouble(ReadOnlySpan<byte> e, bool bigEndian);
    }

    private struct U8 : IElement
    {
        public static int Size => 1;
        public static float ToSingle(ReadOnlySpan<byte> e, bool be) => e[0];
        public static double ToDouble(ReadOnlySpan<byte> e, bool be) => e[0];
    }

    private struct I8 : IElement
    {
        public static int Size => 1;
        public static float ToSingle(ReadOnlySpan<byte> e, bool be) => (sbyte)e[0];
        public static double ToDouble(ReadOnlySpan<byte> e, bool be) => (sbyte)e[0];
    }

    private struct I16 : IElement
    {
        public static int Size => 2;
        private static short Get(ReadOnlySpan<byte> e, bool be) => be ? BinaryPrimitives.ReadInt16BigEndian(e) : BinaryPrimitives.ReadInt16LittleEndian(e);
        public static float ToSingle(ReadOnlySpan<byte> e, bool be) => Get(e, be);
        public static double ToDouble(ReadOnlySpan<byte> e, bool be) => Get(e, be);
    }

    private struct U16 : IElement
    {
        public static int Size => 2;
        private static ushort Get(ReadOnlySpan<byte> e, bool be) => be ? BinaryPrimitives.ReadUInt16BigEndian(e) : BinaryPrimitives.ReadUInt16LittleEndian(e);
        public static float ToSingle(ReadOnlySpan<byte> e, bool be) => Get(e, be);
        public static double ToDouble(ReadOnlySpan<byte> e, bool be) => Get(e, be);
    }

    private struct I32 : IElement
    {
        public static int Size => 4;
        private static int Get(ReadOnlySpan<byte> e, bool be) => be ? BinaryPrimitives.ReadInt32BigEndian(e) : BinaryPrimitives.ReadInt32LittleEndian(e);
        public static float ToSingle(ReadOnlySpan<byte> e, bool be) => Get(e, be);
        public static double ToDouble(ReadOnlySpan<byte> e, bool be) => Get(e, be);
    }

    private struct U32 : IElement
    {
        public static int Size => 4;
        private static uint Get(ReadOnlySpan<byte> e, bool be) => be ? BinaryPrimitives.ReadUInt32BigEndian(e) : BinaryPrimitives.ReadUInt32LittleEndian(e);
        public static float ToSingle(ReadOnlySpan<byte> e, bool be) => Get(e, be);
        public static double ToDouble(ReadOnlySpan<byte> e, bool be) => Get(e, be);
    }

    private struct I64 : IElement
    {
        public static int Size => 8;
        private static long Get(ReadOnlySpan<byte> e, bool be) => be ? BinaryPrimitives.ReadInt64BigEndian(e) : BinaryPrimitives.ReadInt64LittleEndian(e);
        public static float ToSingle(ReadOnlySpan<byte> e, bool be) => Get(e, be);
        public static double ToDouble(ReadOnlySpan<byte> e, bool be) => Get(e, be);
    }

    private struct U64 : IElement
    {
        public static int Size => 8;
        private static ulong Get(ReadOnlySpan<byte> e, bool be) => be ? BinaryPrimitives.ReadUInt64BigEndian(e) : BinaryPrimitives.ReadUInt64LittleEndian(e);
        public static float ToSingle(ReadOnlySpan<byte> e, bool be) => Get(e, be);
        public static double ToDouble(ReadOnlySpan<byte> e, bool be) => Get(e, be);
    }

    private struct F32 : IElement
    {
        public static int Size => 4;
        public static float ToSingle(ReadOnlySpan<byte> e, bool be) => be ? BinaryPrimitives.ReadSingleBigEndian(e) : BinaryPrimitives.ReadSingleLittleEndian(e);
        public static double ToDouble(ReadOnlySpan<byte> e, bool be) => ToSingle(e, be);
    }

    private struct F64 : IElement
    {
        public static int Size => 8;
        public static float ToSingle(ReadOnlySpan<byte> e, bool be) => (float)ToDouble(e, be);
        public static double ToDouble(ReadOnlySpan<byte> e, bool be) => be ? BinaryPrimitives.ReadDoubleBigEndian(e) : BinaryPrimitives.ReadDoubleLittleEndian(e);
    }
}
