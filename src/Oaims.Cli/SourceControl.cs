using System.Diagnostics;

namespace Oaims.Cli;

/// <summary>The git commit of the working tree, for provenance in checkpoint cards and reports.</summary>
public static class SourceControl
{
    public static string? Commit()
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", "rev-parse HEAD") { RedirectStandardOutput = true, RedirectStandardError = true });
            if (git is null) return null;
            string output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception) { return null; } // no git on this machine
    }
}
