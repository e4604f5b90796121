using Oaims.Imaging;

namespace Oaims.Service.Datastore;

/// <summary>
/// Every accepted label of every datastore image, kept: one <see cref="DurableFolder"/> per image under
/// .oaims/labels/ID/, whose versions each hold the label file and the click log of the commit that made it.
/// Nothing is ever dropped, so a lab can go back to any earlier label.
/// </summary>
public sealed class LabelVersions(string root)
{
    public const string ClickLogFile = "clicks.json";
    const string LabelFileStem = "label";

    public string Root { get; } = root;

    /// <summary>How many versions of the image's label are kept.</summary>
    public int Count(string imageId) => Folder(imageId).VersionNames().Count;

    /// <summary>Writes a new version (label and click log together, or neither) and returns its number (1, 2, ...).</summary>
    public long Save(string imageId, Volume label, string extension, string clickLogJson)
    {
        string written = Folder(imageId).Save(into =>
        {
            VolumeIO.Write(label, Path.Combine(into, LabelFileStem + extension), VoxelType.UInt8);
            AtomicFile.WriteAllText(Path.Combine(into, ClickLogFile), clickLogJson);
        }, keep: int.MaxValue);
        return long.Parse(Path.GetFileName(written).AsSpan(1));
    }

    /// <summary>The folder of a version (1-based), checked against its manifest; NotFound when there is no such version or it is damaged.</summary>
    public string VersionFolder(string imageId, long version)
    {
        var folder = Folder(imageId);
        string name = $"v{version:D6}";
        if (!folder.VersionNames().Contains(name))
            throw new NotFoundException($"Image {UserInput.Quote(imageId)} has no label version {version}; it has {folder.VersionNames().Count}.");
        return Path.Combine(folder.Root, name);
    }

    /// <summary>The label file inside a version folder.</summary>
    public static string LabelFile(string versionFolder) =>
        Directory.EnumerateFiles(versionFolder, LabelFileStem + ".*").Single();

    /// <summary>Removes what saves cut off by a crash left (run at start, before any save).</summary>
    public void CleanOrphans()
    {
        if (!Directory.Exists(Root)) return;
        foreach (string folder in Directory.EnumerateDirectories(Root)) new DurableFolder(folder).CleanOrphans();
    }

    DurableFolder Folder(string imageId) => new(Path.Combine(Root, imageId));
}
