using System.Text;

namespace Oaims.Service.Workspaces;

/// <summary>
/// The rule for paths clients name (SaveCheckpoint, ExportCheckpoint, restore_from): a folder under the checkpoint root,
/// nothing else. Refused, as INVALID_ARGUMENT: absolute paths, '.' and '..', control characters, more than 1024 bytes in
/// all or 255 in one folder name (UTF-8, what file systems take), a file where a folder is needed, and any symbolic link
/// below the root, which could lead a save out of the root or into another workspace's folder.
/// </summary>
public static class CheckpointPaths
{
    public const int MaxPathBytes = 1024, MaxFolderNameBytes = 255;

    /// <summary>The full path of <paramref name="relativePath"/> under <paramref name="root"/> (a full path), or ArgumentException saying why not.</summary>
    public static string Resolve(string root, string relativePath)
    {
        if (string.IsNullOrWhiteSpace(relativePath)) throw new ArgumentException("The request names no path.");
        string quoted = UserInput.Quote(relativePath);
        if (Encoding.UTF8.GetByteCount(relativePath) > MaxPathBytes)
            throw new ArgumentException($"Path {quoted} is longer than the {MaxPathBytes} bytes (UTF-8) a path under the checkpoint root may have.");
        if (relativePath.Any(char.IsControl))
            throw new ArgumentException($"Path {quoted} holds a control character (newline, tab, NUL, ...), which folder names may not.");
        string[] parts = relativePath.Split('/', '\\');
        if (Path.IsPathRooted(relativePath) || parts.Any(part => part is ".." or "."))
            throw new ArgumentException($"Path {quoted} must be relative to the server's checkpoint root, without '.' or '..'.");
        if (parts.Any(part => Encoding.UTF8.GetByteCount(part) > MaxFolderNameBytes))
            throw new ArgumentException($"Path {quoted} has a folder name longer than {MaxFolderNameBytes} bytes (UTF-8), which file systems refuse.");
        string full = Path.GetFullPath(Path.Combine(root, relativePath));
        if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ArgumentException($"Path {quoted} leaves the server's checkpoint root.");
        EnsureRealFolders(root, full, quoted);
        return full;
    }

    // Every part of the path that already exists must be a real folder. A link planted between this check and the write
    // is out of a client's reach: the API makes no links, only someone on the server could.
    static void EnsureRealFolders(string root, string full, string quoted)
    {
        string current = root;
        foreach (string part in Path.GetRelativePath(root, full).Split(Path.DirectorySeparatorChar))
        {
            current = Path.Combine(current, part);
            var entry = new FileInfo(current);
            if (entry.LinkTarget is not null)
                throw new ArgumentException($"Path {quoted} goes through a symbolic link under the checkpoint root ({UserInput.Quote(part)}): the server only uses real folders there.");
            if (Directory.Exists(current)) continue;
            if (entry.Exists)
                throw new ArgumentException($"Path {quoted} needs a folder where the checkpoint root holds a file ({UserInput.Quote(part)}).");
            return; // nothing exists from here on
        }
    }
}
