using System.Security.Cryptography;
using System.Text;

namespace Oaims.Learning.Data;

/// <summary>
/// The data files a run read, each named relative to the data root with its SHA-256, and one SHA-256 over them all: the
/// hash of the lines "SHA256  relative/path\n" sorted by path (byte order), which is what
/// <c>cd ROOT; sha256sum FILES | LC_ALL=C sort -k2 | sha256sum</c> prints. Two runs with the same manifest hash read the same bytes.
/// </summary>
public sealed class DataManifest(string root)
{
    readonly SortedDictionary<string, string> _files = new(StringComparer.Ordinal);

    public string Root { get; } = Path.GetFullPath(root);

    public int Count => _files.Count;

    /// <summary>Records a file the run read (again is harmless; each file is hashed once).</summary>
    public void Add(string path)
    {
        string relative = Path.GetRelativePath(Root, Path.GetFullPath(path)).Replace('\\', '/');
        if (_files.ContainsKey(relative)) return;
        using var stream = File.OpenRead(path);
        _files[relative] = Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    public string Sha256 =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Concat(_files.Select(f => $"{f.Value}  {f.Key}\n")))));
}
