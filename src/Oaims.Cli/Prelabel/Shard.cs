using System.Security.Cryptography;
using System.Text;

namespace Oaims.Cli.Prelabel;

/// <summary>
/// One of n disjoint shares of a batch (`--shard i/n`, i from 0): an input belongs to the shard its file name hashes to,
/// so every job of a Kubernetes Indexed Job or a Slurm array picks its share alone, whatever order it lists the files in.
/// </summary>
public readonly record struct Shard(int Index, int Count)
{
    public static readonly Shard Whole = new(0, 1);

    /// <exception cref="ArgumentException">Not "i/n" with 0 &lt;= i &lt; n.</exception>
    public static Shard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], out int index) || !int.TryParse(parts[1], out int count) || count < 1 || index < 0 || index >= count)
            throw new ArgumentException($"--shard takes i/n with 0 <= i < n (e.g. 0/4), not '{UserText(text)}'.");
        return new Shard(index, count);
    }

    /// <summary>True when the file (by its name alone, not its folder) belongs to this shard.</summary>
    public bool Contains(string path) => Count == 1 || (int)(Hash(Path.GetFileName(path)) % (ulong)Count) == Index;

    // SHA-256 rather than string.GetHashCode, which .NET randomises per process.
    static ulong Hash(string name) => BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes(name)), 0);

    static string UserText(string text) => text.Length <= 40 ? text : text[..40] + "...";

    public override string ToString() => $"{Index}/{Count}";
}
