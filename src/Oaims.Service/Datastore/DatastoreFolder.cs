using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Oaims.Imaging;

namespace Oaims.Service.Datastore;

/// <summary>An image of the datastore as the server sees it now: its id (the file name without extension), its file, and its labels.</summary>
public sealed record DatastoreImage(string Id, string FileName, string? FinalLabelFile, int LabelVersions);

/// <summary>
/// A folder of images in MONAI Label's local layout, opened as it is: images at the top (NIfTI or NRRD), the accepted
/// label of image ID at labels/final/ID.EXT, labels/original/ for labels that came with the data, and MONAI Label's
/// datastore_v2.json. OAIMS keeps its own records beside them under .oaims/ (never in the images): every version of
/// every final label with its click log (<see cref="LabelVersions"/>). Images are found by listing the folder at each
/// call, so files a lab copies in are seen at once.
/// </summary>
public sealed class DatastoreFolder
{
    public const string LabelsFolder = "labels";
    public const string FinalTag = "final";
    public const string OriginalTag = "original";
    public const string MonaiLabelJson = "datastore_v2.json";
    public const string OwnFolder = ".oaims";

    /// <summary>Image file extensions, longest first so "a.nii.gz" is image "a", not "a.nii".</summary>
    public static IReadOnlyList<string> ImageExtensions { get; } = [".nii.gz", ".nii", ".nrrd"];

    readonly object _gate = new();

    DatastoreFolder(string root)
    {
        Root = root;
        Versions = new LabelVersions(Path.Combine(root, OwnFolder, "labels"));
    }

    public string Root { get; }
    public LabelVersions Versions { get; }
    string FinalFolder => Path.Combine(Root, LabelsFolder, FinalTag);

    /// <summary>Opens an existing folder; creates the label folders MONAI Label would create, and removes what cut-off label saves left.</summary>
    public static DatastoreFolder Open(string path)
    {
        string root = Path.GetFullPath(path);
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"Datastore folder '{path}' does not exist.");
        Directory.CreateDirectory(Path.Combine(root, LabelsFolder, FinalTag));
        Directory.CreateDirectory(Path.Combine(root, LabelsFolder, OriginalTag));
        var folder = new DatastoreFolder(root);
        folder.Versions.CleanOrphans();
        // AtomicFile's temporaries (".NAME.GUID.tmp") that a kill left beside the images and final labels.
        foreach (string temporary in new[] { root }.Concat(folder.LabelTags().Select(folder.TagFolder)).SelectMany(f => Directory.EnumerateFiles(f, ".*.tmp")).ToList())
            File.Delete(temporary);
        return folder;
    }

    /// <summary>Every image, ordered by id.</summary>
    public IReadOnlyList<DatastoreImage> Images()
    {
        var finals = FilesById(FinalFolder);
        return FilesById(Root)
            .OrderBy(e => e.Key, StringComparer.Ordinal)
            .Select(e => new DatastoreImage(e.Key, e.Value, finals.GetValueOrDefault(e.Key), Versions.Count(e.Key)))
            .ToList();
    }

    /// <summary>The image with this id; NotFound (with what exists) otherwise.</summary>
    public DatastoreImage Image(string id)
    {
        if (string.IsNullOrEmpty(id)) throw new ArgumentException("The request names no datastore image (image id is empty).");
        var all = Images();
        return all.FirstOrDefault(i => i.Id == id)
            ?? throw new NotFoundException($"No image {UserInput.Quote(id)} in the datastore; it holds {all.Count} image(s)" +
                                           (all.Count == 0 ? "." : $", e.g. {string.Join(", ", all.Take(3).Select(i => i.Id))}."));
    }

    public string ImagePath(DatastoreImage image) => Path.Combine(Root, image.FileName);

    public string? FinalLabelPath(DatastoreImage image) => image.FinalLabelFile is { } file ? Path.Combine(FinalFolder, file) : null;

    /// <summary>
    /// Stores an accepted label: first as a new durable version with its click log under .oaims/ (what a restart relies
    /// on), then as labels/final/ID.EXT (written through a rename, so a reader sees the old file or the new one), then in
    /// MONAI Label's JSON. Returns the version number.
    /// </summary>
    public long SaveFinalLabel(DatastoreImage image, Volume label, string clickLogJson)
    {
        string ext = ImageExtensions.First(e => image.FileName.EndsWith(e, StringComparison.OrdinalIgnoreCase));
        string labelFile = image.Id + ext;
        lock (_gate)
        {
            long version = Versions.Save(image.Id, label, ext, clickLogJson);
            WriteLabelFile(FinalFolder, image.Id, ext, label);
            RecordInMonaiLabelJson(image, FinalTag, labelFile);
            return version;
        }
    }

    /// <summary>
    /// Stores a label under another tag than final (batch pre-labels: labels/original/ID.EXT), atomically, in the image's
    /// extension, and records it in MONAI Label's JSON. Final labels are written by commits alone, never here.
    /// </summary>
    public string SaveTaggedLabel(DatastoreImage image, string tag, Volume label)
    {
        CheckWritableTag(tag);
        string ext = ImageExtensions.First(e => image.FileName.EndsWith(e, StringComparison.OrdinalIgnoreCase));
        string labelFile = image.Id + ext;
        lock (_gate)
        {
            Directory.CreateDirectory(TagFolder(tag));
            WriteLabelFile(TagFolder(tag), image.Id, ext, label);
            RecordInMonaiLabelJson(image, tag, labelFile);
        }
        return Path.Combine(LabelsFolder, tag, labelFile);
    }

    // Written through a rename, so a reader sees the old file or the new one.
    static void WriteLabelFile(string folder, string imageId, string ext, Volume label)
    {
        VolumeIO.Write(label, Path.Combine(folder, imageId + ext), VoxelType.UInt8);
        // A label of another extension from before would shadow this one for MONAI Label: only one label per image and tag.
        foreach (string other in ImageExtensions.Where(e => e != ext).Select(e => Path.Combine(folder, imageId + e)))
            if (File.Exists(other)) File.Delete(other);
    }

    /// <summary>Refuses a tag a batch may not write: final (the accepted labels), or a name that is no plain folder name.</summary>
    public static void CheckWritableTag(string tag)
    {
        if (tag == FinalTag)
            throw new ArgumentException($"Label tag '{FinalTag}' holds the accepted labels, which only a commit writes; choose another tag (e.g. '{OriginalTag}').");
        CheckTagName(tag);
    }

    static void CheckTagName(string tag)
    {
        if (tag.Length is 0 or > 64 || tag.StartsWith('.') || !tag.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw new ArgumentException($"Label tag {UserInput.Quote(tag)} is not allowed: use 1 to 64 letters, digits, '-', '_' or '.', not starting with '.'.");
    }

    /// <summary>The label tags present (the folders under labels/), final first.</summary>
    public IReadOnlyList<string> LabelTags()
    {
        var tags = Directory.EnumerateDirectories(Path.Combine(Root, LabelsFolder)).Select(Path.GetFileName).OfType<string>()
            .Where(t => !t.StartsWith('.')).Order(StringComparer.Ordinal).ToList();
        return tags.Contains(FinalTag) ? [FinalTag, .. tags.Where(t => t != FinalTag)] : tags;
    }

    /// <summary>The path of an image's label under a tag; NotFound when it has none there.</summary>
    public string TaggedLabelPath(DatastoreImage image, string tag)
    {
        CheckTagName(tag);
        return LabelFiles(tag).GetValueOrDefault(image.Id) is { } file ? Path.Combine(TagFolder(tag), file)
            : throw new NotFoundException($"Image {UserInput.Quote(image.Id)} has no label with tag {UserInput.Quote(tag)}.");
    }

    /// <summary>The label file of each image id under a tag.</summary>
    public IReadOnlyDictionary<string, string> LabelFiles(string tag) => FilesById(TagFolder(tag));

    string TagFolder(string tag) => Path.Combine(Root, LabelsFolder, tag);

    // Keeps MONAI Label's own record in step (a MONAI Label server opened on this folder later sees the label with its
    // checksum), leaving every field OAIMS does not write as it was.
    void RecordInMonaiLabelJson(DatastoreImage image, string tag, string labelFile)
    {
        string path = Path.Combine(Root, MonaiLabelJson);
        JsonObject json;
        try { json = File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? NewMonaiLabelJson() : NewMonaiLabelJson(); }
        catch (JsonException) { json = NewMonaiLabelJson(); } // MONAI Label rebuilds it from the files too
        var objects = json["objects"] as JsonObject ?? (JsonObject)(json["objects"] = new JsonObject());
        var entry = objects[image.Id] as JsonObject ?? (JsonObject)(objects[image.Id] = new JsonObject());
        if (entry["image"] is not JsonObject)
            entry["image"] = new JsonObject { ["ext"] = image.FileName[image.Id.Length..], ["info"] = new JsonObject { ["ts"] = Now, ["name"] = image.FileName } };
        var labels = entry["labels"] as JsonObject ?? (JsonObject)(entry["labels"] = new JsonObject());
        string labelPath = Path.Combine(TagFolder(tag), labelFile);
        labels[tag] = new JsonObject
        {
            ["ext"] = labelFile[image.Id.Length..],
            ["info"] = new JsonObject { ["ts"] = Now, ["checksum"] = "SHA256:" + Sha256(labelPath), ["name"] = labelFile },
        };
        AtomicFile.WriteAllText(path, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>MONAI Label's datastore JSON as it stands on disk (an empty one when the folder has none or it is unreadable).</summary>
    public JsonObject MonaiLabelRecord()
    {
        string path = Path.Combine(Root, MonaiLabelJson);
        try { return File.Exists(path) && JsonNode.Parse(File.ReadAllText(path)) is JsonObject json ? json : NewMonaiLabelJson(); }
        catch (JsonException) { return NewMonaiLabelJson(); }
    }

    static JsonObject NewMonaiLabelJson() => new()
    {
        ["name"] = "new-dataset", ["description"] = "New Dataset", ["images_dir"] = ".", ["labels_dir"] = LabelsFolder, ["objects"] = new JsonObject(),
    };

    static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>
    /// Adds an image file (PUT /datastore/): the bytes are checked to be a readable volume of the given extension before
    /// they appear among the images, and an existing image is never overwritten.
    /// </summary>
    public DatastoreImage AddImage(string id, string extension, byte[] content, ReadLimits limits)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 128 || id.StartsWith('.') || id.Any(c => c is '/' or '\\' || char.IsControl(c)))
            throw new ArgumentException($"Image id {UserInput.Quote(id)} is not allowed: use 1 to 128 characters, no slashes, not starting with '.'.");
        if (!ImageExtensions.Contains(extension, StringComparer.OrdinalIgnoreCase))
            throw new ArgumentException($"Images are {string.Join(", ", ImageExtensions)} files; got '{extension}'.");
        string check = Path.Combine(Root, OwnFolder, "uploads", $"{Guid.NewGuid():N}{extension}");
        Directory.CreateDirectory(Path.GetDirectoryName(check)!);
        try
        {
            File.WriteAllBytes(check, content);
            VolumeIO.Read(check, limits); // a damaged or foreign file is refused here, not at the first session
        }
        finally { File.Delete(check); }
        lock (_gate)
        {
            if (Images().Any(i => i.Id == id)) throw new AlreadyExistsException($"The datastore already holds an image {UserInput.Quote(id)}; choose another id (images are never overwritten).");
            AtomicFile.WriteAllBytes(Path.Combine(Root, id + extension.ToLowerInvariant()), content);
        }
        return Image(id);
    }

    /// <summary>The image id of a file name, or null when it is no image (hidden files, temporaries and other extensions are not).</summary>
    public static string? IdOf(string fileName)
    {
        if (fileName.StartsWith('.')) return null;
        string? ext = ImageExtensions.FirstOrDefault(e => fileName.EndsWith(e, StringComparison.OrdinalIgnoreCase));
        return ext is null || fileName.Length == ext.Length ? null : fileName[..^ext.Length];
    }

    static Dictionary<string, string> FilesById(string folder)
    {
        var byId = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!Directory.Exists(folder)) return byId;
        foreach (string file in Directory.EnumerateFiles(folder).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal))
            if (IdOf(file) is { } id) byId.TryAdd(id, file);
        return byId;
    }
}
