using System.Diagnostics;

namespace Oaims.Cli;

/// <summary>The git commit of the working tree, for provenance in checkpoint cards and reports.</summary>
public static class SourceControl
{
    public static string? Commit() => Git("rev-parse HEAD");

    /// <summary>True when tracked files differ from the commit (a figure from such a tree cannot be reproduced from the commit alone); null outside git.</summary>
    public static bool? IsDirty() => Git("status --porcelain --untracked-files=no") is { } changes ? changes.Length > 0 : null;

    static string? Git(string arguments)
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", arguments) { RedirectStandardOutput = true, RedirectStandardError = true });
            if (git is null) return null;
            string output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception) { return null; } // no git on this machine
    }
}
