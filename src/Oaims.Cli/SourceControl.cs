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

    // What the figures of a run depend on besides the shipped weights: the code that is built and the build settings.
    // Docs, tests and the Slicer module may change between two parts of a long run without changing a figure. The
    // weights are compared per section instead (RunProvenance records the models each used), so that retraining one
    // model re-runs only the sections that use it.
    const string CodePaths = "src build Directory.Build.props Directory.Build.targets Directory.Packages.props";
    const string ModelsPath = "models";

    /// <summary>
    /// SHA-256 of the committed tree of <see cref="CodePaths"/>: two commits with the same code version compute the same
    /// figures from the same weights, so a run too long for one sitting can go on at a later commit that only added
    /// results or docs, or retrained a model the finished sections did not use. Null when the code or the shipped models
    /// have uncommitted or untracked changes (the figures then belong to no commit) or outside git.
    /// </summary>
    public static string? CodeVersion(string? repository = null)
    {
        if (Git($"status --porcelain -- {CodePaths} {ModelsPath}", repository) is not { Length: 0 }) return null;
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
