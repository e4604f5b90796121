using Oaims.Imaging;
using Oaims.Learning.Adaptation;

namespace Oaims.Learning.Checkpoints;

/// <summary>
/// A learner kept on disk as one durable unit (a workspace's own state, a SaveCheckpoint folder): each save is a new
/// version folder that one pointer switches to (<see cref="DurableFolder"/>), so a restart after a crash finds the last
/// complete save, never a mix of two.
/// </summary>
public static class LearnerStore
{
    /// <summary>Saves the learner as the folder's new version; returns that version's folder.</summary>
    public static string Save(OnlineLearner learner, string folder) => new DurableFolder(folder).Save(learner.Save);

    /// <summary>True when the folder holds an intact saved learner (durable, or the single-folder layout of earlier releases).</summary>
    public static bool Holds(string folder)
    {
        var durable = new DurableFolder(folder);
        string? located = durable.Exists ? durable.Open()?.Folder : folder;
        return located is not null && File.Exists(Path.Combine(located, OnlineLearner.StateFile));
    }

    /// <summary>
    /// The folder of the last good save: the pointer's version when its hashes hold, else the newest one that holds
    /// (then with a warning saying what was damaged). Throws when no save can be trusted.
    /// </summary>
    public static (string Folder, string? Warning) Locate(string folder)
    {
        var durable = new DurableFolder(folder);
        if (durable.Exists)
        {
            var opened = durable.Open() ?? throw new InvalidDataException($"No intact saved state in {folder}: {durable.Diagnose()}.");
            return (opened.Folder, opened.Warning);
        }
        if (File.Exists(Path.Combine(folder, OnlineLearner.StateFile))) return (folder, null);
        throw new FileNotFoundException($"{folder} holds no saved workspace.");
    }

    /// <summary>The card of the source model a located save adapts.</summary>
    public static ModelCard SourceCard(string located) => Checkpoint.ReadCard(Path.Combine(located, OnlineLearner.SourceFolder));
}
