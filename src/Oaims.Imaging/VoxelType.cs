using System.Numerics;

namespace Oaims.Imaging;

/// <summary>Element types a voxel can have on disk.</summary>
public enum VoxelType
{
    UInt8,
    Int8,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Float32,
    Float64,
}

/// <summary>Names, sizes and ranges of <see cref="VoxelType"/> values, using numpy's spelling ("uint8", "float32").</summary>
public static class VoxelTypes
{
    public static string Name(this VoxelType type) => type switch
    {
        VoxelType.UInt8 => "uint8",
        VoxelType.Int8 => "int8",
        VoxelType.Int16 => "int16",
        VoxelType.UInt16 => "uint16",
        VoxelType.Int32 => "int32",
        VoxelType.UInt32 => "uint32",
        VoxelType.Int64 => "int64",
        VoxelType.UInt64 => "uint64",
        VoxelType.Float32 => "float32",
        VoxelType.Float64 => "float64",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    public static int Size(this VoxelType type) => type switch
    {
        VoxelType.UInt8 or VoxelType.Int8 => 1,
        VoxelType.Int16 or VoxelType.UInt16 => 2,
        VoxelType.Int32 or VoxelType.UInt32 or VoxelType.Float32 => 4,
        _ => 8,
    };

    public static bool IsInteger(this VoxelType type) => type is not (VoxelType.Float32 or VoxelType.Float64);

    /// <summary>Smallest and largest value an integer type holds (infinite bounds for floats).</summary>
    public static (double Min, double Max) Range(this VoxelType type) => type switch
    {
        VoxelType.UInt8 => (byte.MinValue, byte.MaxValue),
        VoxelType.Int8 => (sbyte.MinValue, sbyte.MaxValue),
        VoxelType.Int16 => (short.MinValue, short.MaxValue),
        VoxelType.UInt16 => (ushort.MinValue, ushort.MaxValue),
        VoxelType.Int32 => (int.MinValue, int.MaxValue),
        VoxelType.UInt32 => (uint.MinValue, uint.MaxValue),
        VoxelType.Int64 => (long.MinValue, long.MaxValue),
        VoxelType.UInt64 => (ulong.MinValue, ulong.MaxValue),
        _ => (double.NegativeInfinity, double.PositiveInfinity),
    };

    /// <summary>Parses numpy-style names and common C spellings ("uchar", "short", "float").</summary>
    public static bool TryParse(string? text, out VoxelType type)
    {
        type = VoxelType.Float32;
        switch (text?.Trim().ToLowerInvariant())
        {
            case "uint8" or "u1" or "uchar" or "byte": type = VoxelType.UInt8; return true;
            case "int8" or "i1" or "char" or "sbyte": type = VoxelType.Int8; return true;
            case "int16" or "i2" or "short": type = VoxelType.Int16; return true;
            case "uint16" or "u2" or "ushort": type = VoxelType.UInt16; return true;
            case "int32" or "i4" or "int": type = VoxelType.Int32; return true;
            case "uint32" or "u4" or "uint": type = VoxelType.UInt32; return true;
            case "int64" or "i8" or "long": type = VoxelType.Int64; return true;
            case "uint64" or "u8" or "ulong": type = VoxelType.UInt64; return true;
            case "float32" or "f4" or "float" or "single": type = VoxelType.Float32; return true;
            case "float64" or "f8" or "double": type = VoxelType.Float64; return true;
            default: return false;
        }
    }

    public static VoxelType Parse(string text) =>
        TryParse(text, out var type)
            ? type
            : throw new ArgumentException($"'{text}' is not a voxel type; use uint8, int8, int16, uint16, int32, uint32, int64, uint64, float32 or float64.", nameof(text));

    /// <summary>
    /// Converts a float to what an integer type stores: NaN becomes 0, values round half to
    /// even (numpy's rint) and clamp to the type's range, so writing never wraps around.
    /// </summary>
    internal static double ToStorable(this VoxelType type, float value)
    {
        if (!type.IsInteger()) return value;
        if (float.IsNaN(value)) return 0;
        var (min, max) = type.Range();
        double r = Math.Round((double)value, MidpointRounding.ToEven);
        return Math.Clamp(r, min, max);
    }
}
