using System.Buffers.Binary;
using System.Text;

namespace Oaims.Imaging;

/// <summary>The fields of a NIfTI-1 or NIfTI-2 header that OAIMS uses, in one version-neutral shape.</summary>
internal sealed class NiftiHeader
{
    public const int Size1 = 348;
    public const int Size2 = 540;

    public int Version { get; set; } = 1;
    public bool BigEndian { get; set; }

    /// <summary>True for "n+1"/"n+2" (voxels in the same file), false for "ni1"/"ni2" (.hdr/.img pair).</summary>
    public bool SingleFile { get; set; } = true;

    public long[] Dim { get; } = new long[8];
    public double[] Pixdim { get; } = new double[8];
    public short DataType { get; set; }
    public short BitPix { get; set; }
    public long VoxOffset { get; set; }
    public double SclSlope { get; set; } = 1;
    public double SclInter { get; set; }
    public int XyztUnits { get; set; }
    public int QformCode { get; set; }
    public int SformCode { get; set; }
    public double QuaternB { get; set; }
    public double QuaternC { get; set; }
    public double QuaternD { get; set; }
    public double QoffsetX { get; set; }
    public double QoffsetY { get; set; }
    public double QoffsetZ { get; set; }
    public double[] SrowX { get; } = new double[4];
    public double[] SrowY { get; } = new double[4];
    public double[] SrowZ { get; } = new double[4];
    public string Description { get; set; } = "";

    public int HeaderSize => Version == 1 ? Size1 : Size2;

    /// <summary>Where voxels start in a single file when the header says less (nibabel's fix): header plus the 4-byte extension flag.</summary>
    public int MinSingleOffset => HeaderSize + 4;

    /// <summary>Reads the version and byte order from sizeof_hdr, the only field whose value is known in advance.</summary>
    public static (int Version, bool BigEndian)? Sniff(ReadOnlySpan<byte> first4)
    {
        int le = BinaryPrimitives.ReadInt32LittleEndian(first4);
        int be = BinaryPrimitives.ReadInt32BigEndian(first4);
        if (le == Size1) return (1, false);
        if (be == Size1) return (1, true);
        if (le == Size2) return (2, false);
        if (be == Size2) return (2, true);
        return null;
    }

    /// <summary>Parses a header whose version and byte order <see cref="Sniff"/> found; checks the magic.</summary>
    public static NiftiHeader Parse(ReadOnlySpan<byte> b, int version, bool bigEndian, string path)
    {
        var h = new NiftiHeader { Version = version, BigEndian = bigEndian };
        var r = new Reader(bigEndian);
        if (version == 1)
        {
            string magic = Encoding.ASCII.GetString(b.Slice(344, 3));
            if (magic is not ("n+1" or "ni1"))
                throw new ImageFormatException(path, $"is not a NIfTI-1 file: its magic string is '{Printable(b.Slice(344, 4))}', not 'n+1' or 'ni1'");
            h.SingleFile = magic == "n+1";
            for (int i = 0; i < 8; i++) h.Dim[i] = r.I16(b, 40 + 2 * i);
            h.DataType = r.I16(b, 70);
            h.BitPix = r.I16(b, 72);
            for (int i = 0; i < 8; i++) h.Pixdim[i] = r.F32(b, 76 + 4 * i);
            float voxOffset = r.F32(b, 108);
            h.VoxOffset = float.IsFinite(voxOffset) && voxOffset >= 0 && voxOffset < long.MaxValue ? (long)voxOffset : -1;
            h.SclSlope = r.F32(b, 112);
            h.SclInter = r.F32(b, 116);
            h.XyztUnits = b[123];
            h.Description = Text(b.Slice(148, 80));
            h.QformCode = r.I16(b, 252);
            h.SformCode = r.I16(b, 254);
            h.QuaternB = r.F32(b, 256); h.QuaternC = r.F32(b, 260); h.QuaternD = r.F32(b, 264);
            h.QoffsetX = r.F32(b, 268); h.QoffsetY = r.F32(b, 272); h.QoffsetZ = r.F32(b, 276);
            for (int i = 0; i < 4; i++)
            {
                h.SrowX[i] = r.F32(b, 280 + 4 * i);
                h.SrowY[i] = r.F32(b, 296 + 4 * i);
                h.SrowZ[i] = r.F32(b, 312 + 4 * i);
            }
        }
        else
        {
            string magic = Encoding.ASCII.GetString(b.Slice(4, 3));
            if (magic is not ("n+2" or "ni2"))
                throw new ImageFormatException(path, $"is not a NIfTI-2 file: its magic string is '{Printable(b.Slice(4, 4))}', not 'n+2' or 'ni2'");
            h.SingleFile = magic == "n+2";
            h.DataType = r.I16(b, 12);
            h.BitPix = r.I16(b, 14);
            for (int i = 0; i < 8; i++) h.Dim[i] = r.I64(b, 16 + 8 * i);
            for (int i = 0; i < 8; i++) h.Pixdim[i] = r.F64(b, 104 + 8 * i);
            h.VoxOffset = r.I64(b, 168);
            h.SclSlope = r.F64(b, 176);
            h.SclInter = r.F64(b, 184);
            h.Description = Text(b.Slice(240, 80));
            h.QformCode = r.I32(b, 344);
            h.SformCode = r.I32(b, 348);
            h.QuaternB = r.F64(b, 352); h.QuaternC = r.F64(b, 360); h.QuaternD = r.F64(b, 368);
            h.QoffsetX = r.F64(b, 376); h.QoffsetY = r.F64(b, 384); h.QoffsetZ = r.F64(b, 392);
            for (int i = 0; i < 4; i++)
            {
                h.SrowX[i] = r.F64(b, 400 + 8 * i);
                h.SrowY[i] = r.F64(b, 432 + 8 * i);
                h.SrowZ[i] = r.F64(b, 464 + 8 * i);
            }
            h.XyztUnits = r.I32(b, 500);
        }
        return h;
    }

    /// <summary>Serialises the header, little-endian, followed by the 4-byte "no extensions" flag.</summary>
    public byte[] Serialize()
    {
        var b = new byte[HeaderSize + 4];
        var s = b.AsSpan();
        if (Version == 1)
        {
            BinaryPrimitives.WriteInt32LittleEndian(s, Size1);
            b[38] = (byte)'r'; // "regular", as every NIfTI writer sets it for Analyze readers
            for (int i = 0; i < 8; i++) BinaryPrimitives.WriteInt16LittleEndian(s[(40 + 2 * i)..], checked((short)Dim[i]));
            BinaryPrimitives.WriteInt16LittleEndian(s[70..], DataType);
            BinaryPrimitives.WriteInt16LittleEndian(s[72..], BitPix);
            for (int i = 0; i < 8; i++) BinaryPrimitives.WriteSingleLittleEndian(s[(76 + 4 * i)..], (float)Pixdim[i]);
            BinaryPrimitives.WriteSingleLittleEndian(s[108..], VoxOffset);
            BinaryPrimitives.WriteSingleLittleEndian(s[112..], (float)SclSlope);
            BinaryPrimitives.WriteSingleLittleEndian(s[116..], (float)SclInter);
            b[123] = (byte)XyztUnits;
            WriteText(s.Slice(148, 80), Description);
            BinaryPrimitives.WriteInt16LittleEndian(s[252..], (short)QformCode);
            BinaryPrimitives.WriteInt16LittleEndian(s[254..], (short)SformCode);
            double[] q = { QuaternB, QuaternC, QuaternD, QoffsetX, QoffsetY, QoffsetZ };
            for (int i = 0; i < 6; i++) BinaryPrimitives.WriteSingleLittleEndian(s[(256 + 4 * i)..], (float)q[i]);
            for (int i = 0; i < 4; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(s[(280 + 4 * i)..], (float)SrowX[i]);
                BinaryPrimitives.WriteSingleLittleEndian(s[(296 + 4 * i)..], (float)SrowY[i]);
                BinaryPrimitives.WriteSingleLittleEndian(s[(312 + 4 * i)..], (float)SrowZ[i]);
            }
            Encoding.ASCII.GetBytes(SingleFile ? "n+1\0" : "ni1\0").CopyTo(s[344..]);
        }
        else
        {
            BinaryPrimitives.WriteInt32LittleEndian(s, Size2);
            Encoding.ASCII.GetBytes(SingleFile ? "n+2\0\r\n\x1a\n" : "ni2\0\r\n\x1a\n").CopyTo(s[4..]);
            BinaryPrimitives.WriteInt16LittleEndian(s[12..], DataType);
            BinaryPrimitives.WriteInt16LittleEndian(s[14..], BitPix);
            for (int i = 0; i < 8; i++) BinaryPrimitives.WriteInt64LittleEndian(s[(16 + 8 * i)..], Dim[i]);
            for (int i = 0; i < 8; i++) BinaryPrimitives.WriteDoubleLittleEndian(s[(104 + 8 * i)..], Pixdim[i]);
            BinaryPrimitives.WriteInt64LittleEndian(s[168..], VoxOffset);
            BinaryPrimitives.WriteDoubleLittleEndian(s[176..], SclSlope);
            BinaryPrimitives.WriteDoubleLittleEndian(s[184..], SclInter);
            WriteText(s.Slice(240, 80), Description);
            BinaryPrimitives.WriteInt32LittleEndian(s[344..], QformCode);
            BinaryPrimitives.WriteInt32LittleEndian(s[348..], SformCode);
            double[] q = { QuaternB, QuaternC, QuaternD, QoffsetX, QoffsetY, QoffsetZ };
            for (int i = 0; i < 6; i++) BinaryPrimitives.WriteDoubleLittleEndian(s[(352 + 8 * i)..], q[i]);
            for (int i = 0; i < 4; i++)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(s[(400 + 8 * i)..], SrowX[i]);
                BinaryPrimitives.WriteDoubleLittleEndian(s[(432 + 8 * i)..], SrowY[i]);
                BinaryPrimitives.WriteDoubleLittleEndian(s[(464 + 8 * i)..], SrowZ[i]);
            }
            BinaryPrimitives.WriteInt32LittleEndian(s[500..], XyztUnits);
        }
        return b;
    }

    private static string Text(ReadOnlySpan<byte> b)
    {
        int end = b.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? b : b[..end]);
    }

    private static void WriteText(Span<byte> dst, string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        bytes.AsSpan(0, Math.Min(bytes.Length, dst.Length - 1)).CopyTo(dst);
    }

    private static string Printable(ReadOnlySpan<byte> b) =>
        new(b.ToArray().Select(c => c >= 32 && c < 127 ? (char)c : '?').ToArray());

    private readonly record struct Reader(bool BigEndian)
    {
        public short I16(ReadOnlySpan<byte> b, int o) => BigEndian ? BinaryPrimitives.ReadInt16BigEndian(b[o..]) : BinaryPrimitives.ReadInt16LittleEndian(b[o..]);
        public int I32(ReadOnlySpan<byte> b, int o) => BigEndian ? BinaryPrimitives.ReadInt32BigEndian(b[o..]) : BinaryPrimitives.ReadInt32LittleEndian(b[o..]);
        public long I64(ReadOnlySpan<byte> b, int o) => BigEndian ? BinaryPrimitives.ReadInt64BigEndian(b[o..]) : BinaryPrimitives.ReadInt64LittleEndian(b[o..]);
        public float F32(ReadOnlySpan<byte> b, int o) => BigEndian ? BinaryPrimitives.ReadSingleBigEndian(b[o..]) : BinaryPrimitives.ReadSingleLittleEndian(b[o..]);
        public double F64(ReadOnlySpan<byte> b, int o) => BigEndian ? BinaryPrimitives.ReadDoubleBigEndian(b[o..]) : BinaryPrimitives.ReadDoubleLittleEndian(b[o..]);
    }
}
