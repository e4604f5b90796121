using System.Globalization;
using System.Text;

namespace Oaims.Imaging;

public static partial class NrrdFile
{
    /// <summary>
    /// Writes NRRD the way 3D Slicer does: space left-posterior-superior, gzip encoding. A .nhdr
    /// path gets a detached data file beside it (name.raw.gz). Several channels become a leading
    /// "vector" axis with voxel-interleaved data, as Slicer stores vector volumes.
    /// </summary>
    public static void Write(Volume volume, string path, VoxelType dtype = VoxelType.Float32)
    {
        bool detached = path.EndsWith(".nhdr", StringComparison.OrdinalIgnoreCase);
        string? dataName = detached ? Path.GetFileName(path[..^5]) + ".raw.gz" : null;
        string header = Header(volume, dtype, dataName);
        byte[] headerBytes = Encoding.ASCII.GetBytes(header);
        if (detached)
        {
            // Data first, so the header never names a file that is not there yet.
            string dataPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, dataName!);
            AtomicFile.Write(dataPath, gzip: true, stream => WriteData(volume, dtype, stream));
            AtomicFile.Write(path, gzip: false, stream => stream.Write(headerBytes));
            return;
        }
        AtomicFile.Write(path, gzip: false, stream =>
        {
            stream.Write(headerBytes);
            using var z = new System.IO.Compression.GZipStream(stream, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true);
            WriteData(volume, dtype, z);
        });
    }

    private static string Header(Volume volume, VoxelType dtype, string? dataFile)
    {
        var inv = CultureInfo.InvariantCulture;
        string F(double v) => v.ToString("R", inv);
        // RAS -> LPS: negate the first two world coordinates.
        double[] flip = { -1, -1, 1 };
        string Vec(int col) => "(" + string.Join(",", Enumerable.Range(0, 3).Select(r => F(volume.IjkToRas[r, col] * flip[r] + 0.0))) + ")";
        bool vector = volume.ChannelCount > 1;
        var sb = new StringBuilder();
        sb.Append("NRRD0004\n");
        sb.Append("# Complete NRRD file format specification at:\n");
        sb.Append("# http://teem.sourceforge.net/nrrd/format.html\n");
        sb.Append("type: ").Append(TypeName(dtype)).Append('\n');
        sb.Append("dimension: ").Append(vector ? 4 : 3).Append('\n');
        sb.Append("space: left-posterior-superior\n");
        sb.Append("sizes: ").Append(vector ? $"{volume.ChannelCount} " : "").Append(string.Join(" ", volume.Dims)).Append('\n');
        sb.Append("space directions: ").Append(vector ? "none " : "").Append($"{Vec(0)} {Vec(1)} {Vec(2)}").Append('\n');
        sb.Append("kinds: ").Append(vector ? "vector " : "").Append("domain domain domain\n");
        sb.Append("endian: little\n");
        sb.Append("encoding: gzip\n");
        sb.Append("space origin: (").Append(string.Join(",", Enumerable.Range(0, 3).Select(r => F(volume.IjkToRas[r, 3] * flip[r] + 0.0)))).Append(")\n");
        if (dataFile is not null) sb.Append("data file: ").Append(dataFile).Append('\n');
        else sb.Append('\n');
        return sb.ToString();
    }

    private static void WriteData(Volume volume, VoxelType dtype, Stream stream)
    {
        int channels = volume.ChannelCount;
        var buffer = new byte[volume.VoxelCount * channels * dtype.Size()];
        for (int c = 0; c < channels; c++)
            VoxelCodec.Encode(volume.Channels[c], dtype, bigEndian: false, stride: channels, buffer.AsSpan(c * dtype.Size()));
        stream.Write(buffer);
    }

    private static string TypeName(VoxelType type) => type switch
    {
        VoxelType.Float32 => "float",
        VoxelType.Float64 => "double",
        _ => type.Name(),
    };
}
