using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Oaims.Imaging;

/// <summary>What `oaims info` reports about a volume: shape, type, geometry and intensity statistics.</summary>
/// <param name="Min">Smallest voxel over all channels, NaNs ignored; null when every voxel is NaN.</param>
/// <param name="Mean">Mean over all channels, accumulated in double.</param>
public sealed record VolumeSummary(int[] Shape, int Channels, string DataType, double[] Spacing, double[,] IjkToRas, double? Min, double? Max, double? Mean)
{
    public static VolumeSummary Of(Volume volume)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0;
        long count = 0;
        foreach (var channel in volume.Channels)
            foreach (float v in channel)
            {
                if (float.IsNaN(v)) continue;
                if (v < min) min = v;
                if (v > max) max = v;
                sum += v;
                count++;
            }
        return count == 0
            ? new VolumeSummary((int[])volume.Dims.Clone(), volume.ChannelCount, volume.SourceDataType, volume.Spacing, volume.IjkToRas, null, null, null)
            : new VolumeSummary((int[])volume.Dims.Clone(), volume.ChannelCount, volume.SourceDataType, volume.Spacing, volume.IjkToRas, min, max, sum / count);
    }

    /// <summary>Axis codes in nibabel's aff2axcodes sense: which world direction each voxel axis points to ("LPS", "RAS").</summary>
    public string Orientation
    {
        get
        {
            var codes = new char[3];
            var used = new bool[3];
            // Assign the most decisive axes first so an oblique matrix cannot give two axes the same letter.
            var order = Enumerable.Range(0, 3).OrderByDescending(c => Enumerable.Range(0, 3).Max(r => Math.Abs(IjkToRas[r, c]) / Math.Max(Spacing[c], 1e-12)));
            foreach (int c in order)
            {
                int best = Enumerable.Range(0, 3).Where(r => !used[r]).OrderByDescending(r => Math.Abs(IjkToRas[r, c])).First();
                used[best] = true;
                bool positive = IjkToRas[best, c] >= 0;
                codes[c] = best switch { 0 => positive ? 'R' : 'L', 1 => positive ? 'A' : 'P', _ => positive ? 'S' : 'I' };
            }
            return new string(codes);
        }
    }

    /// <summary>{"shape":[x,y,z],"channels":c,"dtype":"...","spacing":[..],"ijk_to_ras":[[..]x4],"min":..,"max":..,"mean":..}</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("shape");
            foreach (int d in Shape) w.WriteNumberValue(d);
            w.WriteEndArray();
            w.WriteNumber("channels", Channels);
            w.WriteString("dtype", DataType);
            w.WriteStartArray("spacing");
            foreach (double s in Spacing) w.WriteNumberValue(s);
            w.WriteEndArray();
            w.WriteStartArray("ijk_to_ras");
            for (int r = 0; r < 4; r++)
            {
                w.WriteStartArray();
                for (int c = 0; c < 4; c++) w.WriteNumberValue(IjkToRas[r, c] + 0.0); // + 0.0 turns -0 into 0
                w.WriteEndArray();
            }
            w.WriteEndArray();
            WriteNullable(w, "min", Min);
            WriteNullable(w, "max", Max);
            WriteNullable(w, "mean", Mean);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>A few human-readable lines.</summary>
    public string ToText(string? name = null)
    {
        var inv = CultureInfo.InvariantCulture;
        string G(double v) => (v + 0.0).ToString("G6", inv);
        var sb = new StringBuilder();
        if (name is not null) sb.AppendLine(name);
        sb.AppendLine($"  shape        {string.Join(" x ", Shape)}, {Channels} channel{(Channels == 1 ? "" : "s")}, {DataType}");
        sb.AppendLine($"  spacing      {string.Join(" x ", Spacing.Select(G))} mm");
        sb.AppendLine($"  orientation  {Orientation}, origin ({G(IjkToRas[0, 3])}, {G(IjkToRas[1, 3])}, {G(IjkToRas[2, 3])}) mm RAS");
        sb.Append(Min is null ? "  intensities  all NaN" : $"  intensities  min {G(Min.Value)}, max {G(Max!.Value)}, mean {G(Mean!.Value)}");
        return sb.ToString();
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }
}
