using Oaims.Imaging;
using Oaims.Interaction;

namespace Oaims.Learning.Data;

/// <summary>
/// Fundus photographs laid out as DIR/images/&lt;id&gt;.png, DIR/masks/&lt;id&gt;_disc.png (+ _cup.png where
/// annotated) and DIR/manifest.csv (id,split,...). Labels: 0 background, 1 rim (disc minus cup), 2 cup.
/// </summary>
public static class FundusImages
{
    /// <param name="read">Told the path of every file read (manifest, images, masks).</param>
    public static List<SliceSample> Load(string dataDirectory, string? split, Action<string>? read = null)
    {
        var samples = new List<SliceSample>();
        Volume Read(string path) { read?.Invoke(path); return VolumeIO.Read(path); }
        read?.Invoke(Path.Combine(dataDirectory, "manifest.csv"));
        foreach (var (id, rowSplit, _) in Manifest(dataDirectory))
        {
            if (split is not null && !rowSplit.Equals(split, StringComparison.OrdinalIgnoreCase)) continue;
            var image = Read(Path.Combine(dataDirectory, "images", id + ".png"));
            if (image.ChannelCount != 3) throw new InvalidDataException($"{id}.png is not an RGB image.");
            IntensityNormaliser.Apply(IntensityNormalisation.Rgb127, image.Channels);
            int width = image.Dims[0], height = image.Dims[1];
            var disc = Read(Path.Combine(dataDirectory, "masks", id + "_disc.png")).Channels[0];
            string cupPath = Path.Combine(dataDirectory, "masks", id + "_cup.png");
            float[]? cup = File.Exists(cupPath) ? Read(cupPath).Channels[0] : null;
            var labels = new int[width * height];
            for (int p = 0; p < labels.Length; p++)
                labels[p] = cup is not null && cup[p] >= 128 ? 2 : disc[p] >= 128 ? 1 : 0;
            samples.Add(new SliceSample(id, image.Channels.SelectMany(c => c).ToArray(), 3, width, height, new LabelMap(width, height, labels)));
        }
        return samples;
    }

    /// <summary>Whether any image of the folder has a cup mask (DRIONS-DB, for one, marks the disc only).</summary>
    public static bool HasCupMasks(string dataDirectory) =>
        Directory.Exists(Path.Combine(dataDirectory, "masks")) && Directory.EnumerateFiles(Path.Combine(dataDirectory, "masks"), "*_cup.png").Any();

    /// <summary>The ids of one manifest split (all ids when split is null), without reading any image.</summary>
    public static List<string> Ids(string dataDirectory, string? split) =>
        Manifest(dataDirectory).Where(row => split is null || row.Split.Equals(split, StringComparison.OrdinalIgnoreCase)).Select(row => row.Id).ToList();

    /// <summary>The mean optic-disc area (pixels) of one split, from the manifest's disc_px column, without reading any image.</summary>
    public static double MeanDiscPixels(string dataDirectory, string split) =>
        Manifest(dataDirectory, "disc_px").Where(row => row.Split.Equals(split, StringComparison.OrdinalIgnoreCase))
            .Average(row => double.Parse(row.Extra!, System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The manifest's rows: id, split and, when asked for, one more column.</summary>
    static IEnumerable<(string Id, string Split, string? Extra)> Manifest(string dataDirectory, string? extraColumn = null)
    {
        string path = Path.Combine(dataDirectory, "manifest.csv");
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        int idColumn = Array.IndexOf(header, "id"), splitColumn = Array.IndexOf(header, "split");
        int extra = extraColumn is null ? -1 : Array.IndexOf(header, extraColumn);
        if (idColumn < 0 || splitColumn < 0) throw new InvalidDataException($"{path} needs 'id' and 'split' columns.");
        if (extraColumn is not null && extra < 0) throw new InvalidDataException($"{path} has no '{extraColumn}' column.");
        foreach (string line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var cells = line.Split(',');
            yield return (cells[idColumn], cells[splitColumn], extra < 0 ? null : cells[extra]);
        }
    }
}
