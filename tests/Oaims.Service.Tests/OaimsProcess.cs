using System.Diagnostics;

namespace Oaims.Service.Tests;

/// <summary>The `oaims` program and Debian's python3 run as the user runs them: a real process, its exit code and output.</summary>
public static class OaimsProcess
{
    public sealed record Outcome(int ExitCode, string Output, string Errors);

    public static Outcome RunOaims(params string[] arguments) => Run(Path.Combine(AppContext.BaseDirectory, "oaims"), arguments);

    /// <summary>`oaims` run in another folder (a scratch git repository), whose commit and code version it then records.</summary>
    public static Outcome RunOaimsIn(string workingFolder, params string[] arguments) => Run(Path.Combine(AppContext.BaseDirectory, "oaims"), arguments, workingFolder);

    public static Outcome Python(params string[] arguments) => Run("/usr/bin/python3", arguments);

    static Outcome Run(string program, string[] arguments, string? workingFolder = null)
    {
        // The repository as working folder, so the provenance the program records names this checkout's commit.
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingFolder ?? AppContext.BaseDirectory };
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3))) { process.Kill(entireProcessTree: true); throw new TimeoutException($"{program} {string.Join(" ", arguments)} ran over 3 minutes."); }
        return new Outcome(process.ExitCode, output, errors.Result);
    }

    /// <summary>Asserts the run was refused the way the CLI refuses a user's mistake: exit code 2 and one line on stderr.</summary>
    public static string AssertRefused(Outcome outcome)
    {
        Assert.True(outcome.ExitCode == 2, $"Expected exit code 2, got {outcome.ExitCode}; stderr: {outcome.Errors}");
        var lines = outcome.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, "Expected one line on stderr, got: " + outcome.Errors);
        return lines[0];
    }
}
