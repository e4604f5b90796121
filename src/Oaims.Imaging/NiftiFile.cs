namespace Oaims.Imaging;

/// <summary>Reads and writes NIfTI-1 and NIfTI-2 (.nii, .nii.gz, and reads .hdr/.img pairs) with nibabel's geometry and scaling rules.</summary>
/// <remarks>
/// Dimensions 4 to 7 (time points, vector components, ...) become channels, in file order:
/// channel c is the c-th 3D block, so dim[4] varies fastest. RGB24/RGBA32 voxels become 3/4
/// channels. The affine is nibabel's get_best_affine: sform when sform_code is a valid code
/// other than 0, else qform likewise, else the centred diag(-dx, dy, dz) fallback.
/// </remarks>
public static class NiftiFile
{
    private const int DataTypeRgb24 = 128;
    private const int DataTypeRgba32 = 2304;

    public static Volume Read(string path, ReadLimits? limits = null)
    {
        limits ??= ReadLimits.Default;
        using var source = Payload.Open(path);
        var headerBytes = new byte[NiftiHeader.Size2];
        int got = Payload.ReadUpTo(source, headerBytes.AsSpan(0, 4));
        if (got < 4)
            throw new ImageFormatException(path, $"is not a NIfTI file: it holds only {got} bytes");
        var sniff = NiftiHeader.Sniff(headerBytes)
            ?? throw new ImageFormatException(path, $"is not a NIfTI file: its first four bytes give a header size of {BitConverter.ToInt32(headerBytes, 0)}, not 348 or 540");
        int headerSize = sniff.Version == 1 ? NiftiHeader.Size1 : NiftiHeader.Size2;
        got += Payload.ReadUpTo(source, headerBytes.AsSpan(4, headerSize - 4));
        if (got < headerSize)
            throw new ImageFormatException(path, $"is truncated: a NIfTI-{sniff.Version} header needs {headerSize} bytes but the file holds only {got}");
        var header = NiftiHeader.Parse(headerBytes.AsSpan(0, headerSize), sniff.Version, sniff.BigEndian, path);
        var layout = Layout(header, path, limits);

        byte[] data;
        if (header.SingleFile)
        {
            if (header.VoxOffset < 0)
                throw new ImageFormatException(path, "has an invalid vox_offset (negative or not a number)");
            long offset = Math.Max(header.VoxOffset, header.MinSingleOffset);
            data = ReadPayload(source, headerSize, offset, layout.Bytes, "header extensions");
        }
        else
        {
            string imagePath = PairedImagePath(path);
            using var image = Payload.Open(imagePath);
            data = ReadPayload(image, 0, Math.Max(0, header.VoxOffset), layout.Bytes, "bytes before the voxels");
        }
        return Decode(header, layout, data, path);
    }

    /// <summary>Writes a single-file NIfTI; gzip when the path ends in .gz.</summary>
    /// <param name="dtype">Element type on disk; integer types round half to even and clamp (no scl_slope is written).</param>
    /// <param name="version">1 or 2; null picks 1 unless a dimension exceeds NIfTI-1's 32767.</param>
    /// <param name="xformCode">sform_code and qform_code: 1 scanner, 2 aligned, 3 Talairach, 4 MNI.</param>
    public static void Write(Volume volume, string path, VoxelType dtype = VoxelType.Float32, int? version = null, int xformCode = 1)
    {
        bool big = volume.Dims.Any(d => d > short.MaxValue) || volume.ChannelCount > short.MaxValue;
        int v = version ?? (big ? 2 : 1);
        if (v is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(version), "NIfTI version must be 1 or 2.");
        if (v == 1 && big) throw new ArgumentException("A dimension exceeds NIfTI-1's limit of 32767; write NIfTI-2 instead.", nameof(version));
        if (xformCode is < 1 or > 5) throw new ArgumentOutOfRangeException(nameof(xformCode), "xform codes are 1 to 5.");

        var h = new NiftiHeader { Version = v, SingleFile = true, Description = "OAIMS" };
        h.Dim[0] = volume.ChannelCount > 1 ? 4 : 3;
        for (int i = 1; i < 8; i++) h.Dim[i] = 1;
        for (int i = 0; i < 3; i++) h.Dim[i + 1] = volume.Dims[i];
        h.Dim[4] = volume.ChannelCount;
        h.DataType = (short)Code(dtype);
        h.BitPix = (short)(dtype.Size() * 8);

        var q = NiftiAffine.ToQform(volume.IjkToRas);
        if (v == 1) q = NiftiAffine.RoundForFloat32(q);
        for (int i = 0; i < 8; i++) h.Pixdim[i] = 1;
        h.Pixdim[0] = q.Qfac;
        for (int i = 0; i < 3; i++) h.Pixdim[i + 1] = q.Zooms[i];
        h.QuaternB = q.B; h.QuaternC = q.C; h.QuaternD = q.D;
        h.QoffsetX = q.Offset[0]; h.QoffsetY = q.Offset[1]; h.QoffsetZ = q.Offset[2];
        for (int col = 0; col < 4; col++)
        {
            h.SrowX[col] = volume.IjkToRas[0, col];
            h.SrowY[col] = volume.IjkToRas[1, col];
            h.SrowZ[col] = volume.IjkToRas[2, col];
        }
        h.QformCode = h.SformCode = xformCode;
        h.VoxOffset = h.MinSingleOffset;
        h.SclSlope = 1;
        h.SclInter = 0;
        h.XyztUnits = 2 | 8; // millimetres, seconds

        bool gzip = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        AtomicFile.Write(path, gzip, stream =>
        {
            stream.Write(h.Serialize());
            var buffer = new byte[volume.VoxelCount * dtype.Size()];
            foreach (var channel in volume.Channels)
            {
                VoxelCodec.Encode(channel, dtype, bigEndian: false, stride: 1, buffer);
                stream.Write(buffer);
            }
        });
    }

    private sealed record DataLayout(int[] Dims, int Blocks, int Components, VoxelType Type, long Bytes);

    private static DataLayout Layout(NiftiHeader h, string path, ReadLimits limits)
    {
        long ndim = h.Dim[0];
        if (ndim is < 1 or > 7)
            throw new ImageFormatException(path, $"declares an impossible number of dimensions: dim[0] is {ndim}, not 1 to 7");
        var sizes = new List<long>();
        for (int i = 1; i <= ndim; i++) sizes.Add(h.Dim[i]);

        int components = 1;
        VoxelType type;
        string typeName;
        switch (h.DataType)
        {
            case DataTypeRgb24: type = VoxelType.UInt8; components = 3; typeName = "rgb24"; break;
            case DataTypeRgba32: type = VoxelType.UInt8; components = 4; typeName = "rgba32"; break;
            default:
                type = TypeOf(h.DataType) ?? throw new ImageFormatException(path, $"uses NIfTI data type {h.DataType} ({UnsupportedName(h.DataType)}), which OAIMS cannot read");
                typeName = type.Name();
                break;
        }
        long bytes = PayloadSize.Bytes(path, sizes, type.Size() * components, typeName, limits);
        var dims = new int[3];
        for (int i = 0; i < 3; i++) dims[i] = i < sizes.Count ? (int)sizes[i] : 1;
        long blocks = 1;
        for (int i = 3; i < sizes.Count; i++) blocks *= sizes[i];
        if (blocks * components > 65536)
            throw new ImageFormatException(path, $"declares {blocks * components} channels (time points or components), more than OAIMS handles");
        return new DataLayout(dims, (int)blocks, components, type, bytes);
    }

    private static byte[] ReadPayload(Payload.Source source, long consumed, long offset, long bytes, string gapName)
    {
        if (offset > consumed)
        {
            if (offset - consumed > source.MaxDeliverable)
                throw new ImageFormatException(source.Path, $"is truncated: its voxels should start at byte {offset} but the file cannot hold that many");
            Payload.Skip(source, offset - consumed, gapName);
        }
        long start = Math.Max(offset, consumed);
        if (!source.Gzip)
        {
            long available = source.FileLength - start;
            if (available < bytes)
                throw new ImageFormatException(source.Path, $"is truncated: the header promises {bytes} bytes of voxels but only {Math.Max(0, available)} follow");
            if (available > bytes)
                throw new ImageFormatException(source.Path, $"does not match its header: the header promises {bytes} bytes of voxels but {available} follow");
        }
        var data = Payload.ReadExactly(source, bytes, start);
        if (source.Gzip) Payload.ExpectEnd(source, bytes);
        return data;
    }

    private static Volume Decode(NiftiHeader h, DataLayout layout, byte[] data, string path)
    {
        int n = layout.Dims[0] * layout.Dims[1] * layout.Dims[2];
        int size = layout.Type.Size();
        int k = layout.Components;
        var channels = new float[layout.Blocks * k][];
        var scaling = k == 1 ? ScalingOf(h) : Scaling.None; // nibabel never scales RGB
        for (int block = 0; block < layout.Blocks; block++)
            for (int comp = 0; comp < k; comp++)
            {
                var channel = new float[n];
                long start = ((long)block * n * k + comp) * size;
                VoxelCodec.Decode(data.AsSpan((int)start), layout.Type, h.BigEndian, k, channel, scaling);
                channels[block * k + comp] = channel;
            }
        return new Volume(layout.Dims, channels, BestAffine(h), layout.Type.Name());
    }

    /// <summary>nibabel's get_slope_inter: no scaling when the slope is 0 or not finite.</summary>
    private static Scaling ScalingOf(NiftiHeader h)
    {
        double slope = h.SclSlope, inter = h.SclInter;
        if (slope == 0 || !double.IsFinite(slope)) return Scaling.None;
        // nibabel refuses a finite slope with a non-finite intercept; reading it as 0 keeps the file usable.
        if (!double.IsFinite(inter)) inter = 0;
        return new Scaling(slope, inter);
    }

    private static double[,] BestAffine(NiftiHeader h)
    {
        // nibabel's header check_fix runs on load: it zeroes invalid xform codes, replaces zero
        // spatial pixdims by 1 and negative ones by their absolute value, and sets a qfac other
        // than +-1 to 1. The affine is computed from the fixed header.
        var pixdim = (double[])h.Pixdim.Clone();
        for (int i = 1; i <= 3; i++)
        {
            if (pixdim[i] == 0) pixdim[i] = 1;
            else if (pixdim[i] < 0) pixdim[i] = -pixdim[i];
        }
        double qfac = pixdim[0] is 1 or -1 ? pixdim[0] : 1;
        if (h.SformCode is >= 1 and <= 5)
            return NiftiAffine.FromSform(h.SrowX, h.SrowY, h.SrowZ);
        if (h.QformCode is >= 1 and <= 5)
        {
            double threshold = h.Version == 1 ? -3 * 1.1920929e-07 : -3 * 2.220446049250313e-16;
            return NiftiAffine.FromQform(h.QuaternB, h.QuaternC, h.QuaternD, h.QoffsetX, h.QoffsetY, h.QoffsetZ,
                pixdim[1], pixdim[2], pixdim[3], qfac, threshold);
        }
        int ndim = (int)h.Dim[0];
        return NiftiAffine.Base(h.Dim[1..(ndim + 1)], pixdim[1..(ndim + 1)]);
    }

    private static string PairedImagePath(string headerPath)
    {
        string name = headerPath;
        bool gz = name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        if (gz) name = name[..^3];
        string stem = name.EndsWith(".hdr", StringComparison.OrdinalIgnoreCase) ? name[..^4] : Path.ChangeExtension(name, null);
        foreach (string candidate in new[] { stem + ".img", stem + ".img.gz", stem + ".IMG" })
            if (File.Exists(candidate)) return candidate;
        throw new ImageFormatException(headerPath, $"is the header of a NIfTI pair but its image file {Path.GetFileName(stem)}.img does not exist");
    }

    private static VoxelType? TypeOf(int code) => code switch
    {
        2 => VoxelType.UInt8,
        4 => VoxelType.Int16,
        8 => VoxelType.Int32,
        16 => VoxelType.Float32,
        64 => VoxelType.Float64,
        256 => VoxelType.Int8,
        512 => VoxelType.UInt16,
        768 => VoxelType.UInt32,
        1024 => VoxelType.Int64,
        1280 => VoxelType.UInt64,
        _ => null,
    };

    private static int Code(VoxelType type) => type switch
    {
        VoxelType.UInt8 => 2,
        VoxelType.Int16 => 4,
        VoxelType.Int32 => 8,
        VoxelType.Float32 => 16,
        VoxelType.Float64 => 64,
        VoxelType.Int8 => 256,
        VoxelType.UInt16 => 512,
        VoxelType.UInt32 => 768,
        VoxelType.Int64 => 1024,
        VoxelType.UInt64 => 1280,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private static string UnsupportedName(int code) => code switch
    {
        0 => "unknown",
        1 => "binary",
        32 => "complex64",
        1536 => "float128",
        1792 => "complex128",
        2048 => "complex256",
        _ => "not a NIfTI type",
    };
}
