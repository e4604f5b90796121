using Oaims.Imaging;
using Oaims.Learning.Checkpoints;

namespace Oaims.Cli;

/// <summary>
/// A folder a command writes a new checkpoint into (import-model --out, eval --save-model): written as a durable folder,
/// so a write cut off at any moment never leaves a card that describes other weights, and a second write adds a version.
/// </summary>
public static class CheckpointOutput
{
    /// <summary>Refuses, before any long work, a folder that holds other files: a write there could shadow or lose them.</summary>
    public static void Check(string folder)
    {
        if (File.Exists(folder)) throw new IOException($"{folder} is a file; name a folder for the checkpoint.");
        if (Directory.Exists(folder) && !new DurableFolder(folder).Exists && Directory.EnumerateFileSystemEntries(folder).Any())
            throw new IOException($"{folder} already holds files that are not a versioned OAIMS checkpoint; name a new or empty folder.");
    }

    /// <summary>The folder's own name ("models/mine/" -> "mine"), the default name of the model written there.</summary>
    public static string NameOf(string folder) => Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));

    /// <summary>Writes the checkpoint (card and weights, filled in by <paramref name="save"/>) as the folder's new version.</summary>
    public static string Save(string folder, Action<string> save)
    {
        Check(folder);
        return Checkpoint.SaveDurably(folder, save);
    }
}
