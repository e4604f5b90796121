using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Oaims.Cli;

/// <summary>The git commit of the working tree, for provenance in checkpoint cards and reports.</summary>
public static class SourceControl
{
    public static string? Commit() => Git("rev-parse HEAD");

    /// <summary>True when tracked files differ from the commit (a figure from such a tree cannot be reproduced from the commit alone); null outside git.</summary>
    public static bool? IsDirty() => Git("status --porcelain --untracked-files=no") is { } changes ? changes.Length > 0 : null;

    // What the figures of a run depend on: the code that is built, the build settings and the shipped weights. Docs,
    // tests and the Slicer module may change between two parts of a long run without changing a figure.
    const string CodePaths = "src build models Directory.Build.props Directory.Build.targets Directory.Packages.props";

    /// <summary>
    /// SHA-256 of the committed tree of <see cref="CodePaths"/>: two commits with the same code version compute the same
    /// figures, so a run too long for one sitting can go on at a later commit that only added results or docs. Null when
    /// those paths have uncommitted or untracked changes (the figures then belong to no commit) or outside git.
    /// </summary>
    public static string? CodeVersion(string? repository = null)
    {
        if (Git($"status --porcelain -- {CodePaths}", repository) is not { Length: 0 }) return null;
        return Git($"ls-tree -r HEAD -- {CodePaths}", repository) is { } tree
            ? Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(tree))) : null;
    }

    static string? Git(string arguments, string? repository = null)
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", arguments) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = repository ?? "" });
            if (git is null) return null;
            string output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception) { return null; } // no git on this machine
    }
}
