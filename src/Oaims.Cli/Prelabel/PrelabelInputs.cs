using Oaims.Imaging;

namespace Oaims.Cli.Prelabel;

/// <summary>The images a pre-labelling run reads: files named on the command line, and the readable images directly inside named folders.</summary>
public static class PrelabelInputs
{
    /// <summary>Every input in a stable order (folders listed by name), its shard's share only.</summary>
    /// <exception cref="ArgumentException">A path names nothing, two inputs share a file name, or nothing is left to read.</exception>
    public static IReadOnlyList<string> List(IEnumerable<string> paths, Shard shard)
    {
        var files = new List<string>();
        foreach (string path in paths)
        {
            if (Directory.Exists(path))
                files.AddRange(Directory.GetFiles(path).Where(IsImage).Order(StringComparer.Ordinal));
            else if (File.Exists(path))
                files.Add(path);
            else
                throw new ArgumentException($"--in {path}: no such file or folder.");
        }
        if (files.Count == 0) throw new ArgumentException($"--in names no image ({string.Join(", ", VolumeIO.ReadableExtensions)}).");
        // Outputs are named after inputs, so two inputs of one name would overwrite each other's labels.
        var clash = files.GroupBy(Path.GetFileName).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null) throw new ArgumentException($"Two inputs are named {clash.Key} ({string.Join(", ", clash.Take(2))}); their label maps would share OUT/{clash.Key}.");
        return files.Where(shard.Contains).ToList();
    }

    static bool IsImage(string path) => VolumeIO.ReadableExtensions.Contains(VolumeIO.Extension(path));
}
