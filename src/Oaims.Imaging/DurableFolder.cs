using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Oaims.Imaging;

/// <summary>
/// A folder whose content changes only as a whole (a workspace's learned state, a saved checkpoint): each save writes
/// a complete new version folder with a manifest of SHA-256 hashes, then switches one pointer file to it. A reader
/// follows the pointer and checks every hash; a save cut off at any moment (kill -9, power loss after the fsyncs) leaves
/// the previous version in force, and a version whose files were damaged is detected and passed over for the one before.
/// Layout: <c>CURRENT</c> (the name of the version in force), <c>v000007/</c> (its files + <c>manifest.json</c>), and at
/// most a few older versions kept as fall-backs.
/// </summary>
public sealed partial class DurableFolder(string root)
{
    public const string PointerFile = "CURRENT";
    public const string ManifestFile = "manifest.json";
    const string Format = "oaims-durable-folder/1";
    // Temporary entries start with a dot (AtomicFile's temporaries too), so a crashed save is recognisable at a glance.
    const string TemporaryPrefix = ".";

    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>A verified version: its folder and, when the pointer's own version was damaged, why an older one was taken.</summary>
    public sealed record OpenedVersion(string Folder, string Name, string? Warning);

    sealed record Manifest(string Format, string Name, DateTimeOffset Written, Dictionary<string, string> Files);

    /// <summary>True when the folder holds a pointer or at least one version (a save was attempted here).</summary>
    public bool Exists => File.Exists(Path.Combine(Root, PointerFile)) || Versions().Any();

    /// <summary>
    /// Writes a new version: <paramref name="write"/> fills an empty temporary folder; then the manifest is written, the
    /// folder renamed into place, and the pointer switched. Returns the new version's folder. Versions older than the
    /// last <paramref name="keep"/> are removed after the switch.
    /// </summary>
    public string Save(Action<string> write, int keep = 2)
    {
        // Two saves into one folder at once (two workspaces saved to the same path) would race for the version number.
        lock (SaveLocks.GetOrAdd(Root, _ => new object())) return SaveLocked(write, keep);
    }

    string SaveLocked(Action<string> write, int keep)
    {
        Directory.CreateDirectory(Root);
        RemoveTemporaries(); // what an earlier save of this folder, cut off by a crash, left
        string name = $"v{NextNumber():D6}";
        string temporary = Path.Combine(Root, $"{TemporaryPrefix}{name}.{Guid.NewGuid():N}.tmp");
        string final = Path.Combine(Root, name);
        try
        {
            Directory.CreateDirectory(temporary);
            write(temporary);
            var manifest = new Manifest(Format, name, DateTimeOffset.UtcNow, HashFiles(temporary));
            AtomicFile.WriteAllText(Path.Combine(temporary, ManifestFile), JsonSerializer.Serialize(manifest, Json));
            SyncDirectory(temporary);
            Directory.Move(temporary, final);
            SyncDirectory(Root);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
        AtomicFile.WriteAllText(Path.Combine(Root, PointerFile), name + "\n");
        SyncDirectory(Root);
        foreach (string old in Versions().Where(v => v != name).OrderDescending(StringComparer.Ordinal).Skip(Math.Max(0, keep - 1)))
            TryDelete(Path.Combine(Root, old));
        return final;
    }

    /// <summary>
    /// The version in force, every file checked against its manifest. When the pointer is missing or its version fails the
    /// check, the newest version that passes is returned with a warning; null when no version passes (or none exists).
    /// </summary>
    public OpenedVersion? Open()
    {
        string? pointed = ReadPointer(out string? pointerProblem);
        var problems = new List<string>();
        if (pointerProblem is not null) problems.Add(pointerProblem);
        if (pointed is not null)
        {
            if (Verify(pointed) is not { } problem) return new OpenedVersion(Path.Combine(Root, pointed), pointed, null);
            problems.Add(problem);
        }
        foreach (string candidate in Versions().OrderDescending(StringComparer.Ordinal).Where(v => v != pointed))
        {
            if (Verify(candidate) is { } problem) { problems.Add(problem); continue; }
            return new OpenedVersion(Path.Combine(Root, candidate), candidate,
                $"{Root}: {string.Join("; ", problems)}. Loaded the last good version, {candidate}, instead.");
        }
        return null;
    }

    /// <summary>Why the folder has no good version (for an error message), or null when it has one.</summary>
    public string? Diagnose()
    {
        var problems = new List<string>();
        string? pointed = ReadPointer(out string? pointerProblem);
        if (pointerProblem is not null) problems.Add(pointerProblem);
        foreach (string version in Versions().OrderDescending(StringComparer.Ordinal))
            if (Verify(version) is { } problem) problems.Add(problem); else return null;
        return problems.Count == 0 ? $"{Root} holds no saved version" : string.Join("; ", problems);
    }

    /// <summary>
    /// Removes what interrupted saves left: temporary files and folders, and versions newer than the pointer (written but
    /// never switched to, so never acknowledged). Returns the names removed. Run it when no save of the folder is under way
    /// (at start-up).
    /// </summary>
    public IReadOnlyList<string> CleanOrphans()
    {
        if (!Directory.Exists(Root)) return [];
        var removed = RemoveTemporaries();
        if (ReadPointer(out _) is { } pointed && Verify(pointed) is null)
            foreach (string newer in Versions().Where(v => string.CompareOrdinal(v, pointed) > 0))
                if (TryDelete(Path.Combine(Root, newer))) removed.Add(newer);
        return removed;
    }

    List<string> RemoveTemporaries()
    {
        var removed = new List<string>();
        if (!Directory.Exists(Root)) return removed;
        foreach (string entry in Directory.EnumerateFileSystemEntries(Root))
        {
            string name = Path.GetFileName(entry);
            if (name.StartsWith(TemporaryPrefix, StringComparison.Ordinal) && name.EndsWith(".tmp", StringComparison.Ordinal) && TryDelete(entry))
                removed.Add(name);
        }
        return removed;
    }

    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, object> SaveLocks = new(StringComparer.Ordinal);

    string? ReadPointer(out string? problem)
    {
        problem = null;
        string path = Path.Combine(Root, PointerFile);
        if (!File.Exists(path)) { problem = $"no {PointerFile} pointer"; return null; }
        string name = File.ReadAllText(path).Trim();
        if (!VersionName().IsMatch(name)) { problem = $"the {PointerFile} pointer is damaged"; return null; }
        return name;
    }

    // Null when the version's files are all present with the hashes its manifest records; otherwise what is wrong.
    string? Verify(string name)
    {
        string folder = Path.Combine(Root, name), manifestPath = Path.Combine(folder, ManifestFile);
        if (!File.Exists(manifestPath)) return $"{name} has no manifest (its save was cut off)";
        Manifest? manifest;
        try { manifest = JsonSerializer.Deserialize<Manifest>(File.ReadAllText(manifestPath), Json); }
        catch (JsonException) { return $"{name}'s manifest is damaged"; }
        if (manifest is null || manifest.Format != Format || manifest.Files is null || manifest.Files.Count == 0)
            return $"{name}'s manifest is damaged";
        foreach (var (relative, expected) in manifest.Files)
        {
            string file = Path.GetFullPath(Path.Combine(folder, relative));
            if (!file.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal)) return $"{name}'s manifest names a file outside it";
            if (!File.Exists(file)) return $"{name} lacks {relative}";
            if (HashFile(file) != expected) return $"{name}/{relative} does not match its manifest hash";
        }
        return null;
    }

    /// <summary>The names of the versions present (v000001, ...), oldest first; the pointer may name an older one than the last.</summary>
    public IReadOnlyList<string> VersionNames() => Versions().Order(StringComparer.Ordinal).ToList();

    IEnumerable<string> Versions() =>
        Directory.Exists(Root)
            ? Directory.EnumerateDirectories(Root).Select(Path.GetFileName).OfType<string>().Where(n => VersionName().IsMatch(n))
            : [];

    long NextNumber() => Versions().Select(v => long.Parse(v.AsSpan(1))).DefaultIfEmpty(0).Max() + 1;

    static Dictionary<string, string> HashFiles(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToDictionary(f => f, f => HashFile(Path.Combine(folder, f)), StringComparer.Ordinal);

    static string HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    static bool TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
            else if (File.Exists(path)) File.Delete(path);
            else return false;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    // A rename is durable only once its directory is flushed; without this a power loss could lose the switch (Linux only:
    // other systems' File.Move already gives what this build needs for crashes of the process itself).
    static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux()) return;
        int fd = Native.open(directory, Native.ReadOnlyDirectory);
        if (fd < 0) return;
        Native.fsync(fd);
        Native.close(fd);
    }

    static class Native
    {
        public const int ReadOnlyDirectory = 0x10000; // O_RDONLY | O_DIRECTORY on Linux

        [DllImport("libc")]
        public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc")]
        public static extern int fsync(int fd);

        [DllImport("libc")]
        public static extern int close(int fd);
    }

    [GeneratedRegex(@"^v[0-9]{6,18}\z")]
    private static partial Regex VersionName();

    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };
}
