namespace Oaims.Learning.Checkpoints;

/// <summary>Finds a checkpoint folder from a model name ("brain-flair") or a path.</summary>
public static class ModelCatalog
{
    /// <summary>Folders searched for names, in order: $OAIMS_MODELS, ./models, and the models/ folder of the OAIMS checkout holding this program.</summary>
    public static IEnumerable<string> SearchFolders()
    {
        if (Environment.GetEnvironmentVariable("OAIMS_MODELS") is { Length: > 0 } configured) yield return configured;
        yield return Path.Combine(Directory.GetCurrentDirectory(), "models");
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "OAIMS.sln"))) { yield return Path.Combine(dir.FullName, "models"); break; }
    }

    public static string Resolve(string nameOrPath)
    {
        if (Checkpoint.IsCheckpoint(nameOrPath)) return Path.GetFullPath(nameOrPath);
        foreach (string folder in SearchFolders())
        {
            string candidate = Path.Combine(folder, nameOrPath);
            if (Checkpoint.IsCheckpoint(candidate)) return candidate;
        }
        throw new FileNotFoundException($"No model '{nameOrPath}': not a checkpoint folder, and not found under {string.Join(", ", SearchFolders().Distinct())}.");
    }

    /// <summary>Every checkpoint folder directly under a models folder.</summary>
    public static IEnumerable<string> List(string modelsFolder) =>
        Directory.Exists(modelsFolder)
            ? Directory.GetDirectories(modelsFolder).Where(Checkpoint.IsCheckpoint).Order(StringComparer.Ordinal)
            : [];
}
