using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Oaims.Cli.Reliability;

/// <summary>
/// `oaims serve` as a child process, so that it can be killed the hard way (SIGKILL, as the OOM killer or a power cut
/// would) and started again with the same flags: what the soak and the restart tests need, and an in-process server cannot give.
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    readonly Process _process;
    readonly StringBuilder _log = new();

    ServerProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    /// <summary>What the server wrote on stderr so far (its log), for a failure message.</summary>
    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>The command that runs this program: the apphost, or `dotnet oaims.dll` when started through dotnet.</summary>
    public static (string FileName, string[] Prefix) ThisProgram()
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "oaims.dll");
        string host = Path.Combine(AppContext.BaseDirectory, "oaims");
        return File.Exists(host) ? (host, []) : ("dotnet", [dll]);
    }

    /// <summary>Starts `oaims serve` with the arguments (an --address with port 0 is added) and waits for its "listening" line.</summary>
    public static async Task<ServerProcess> StartAsync(IEnumerable<string> serveArguments, TimeSpan? startTimeout = null)
    {
        var (fileName, prefix) = ThisProgram();
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in prefix.Concat(["serve", "--address", "127.0.0.1:0"]).Concat(serveArguments)) start.ArgumentList.Add(a);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var log = new StringBuilder();
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(startTimeout ?? TimeSpan.FromMinutes(2));
        string? line;
        try { line = await process.StandardOutput.ReadLineAsync(timeout.Token); }
        catch (OperationCanceledException) { line = null; }
        if (line is null || ListeningLine().Match(line) is not { Success: true } match)
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            string stderr;
            lock (log) stderr = log.ToString();
            throw new InvalidOperationException($"oaims serve did not start (exit {(process.HasExited ? process.ExitCode : -1)}): {Tail(stderr)}");
        }
        var server = new ServerProcess(process, new Uri(match.Groups[1].Value));
        lock (log) server._log.Append(log);
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (server._log) server._log.AppendLine(e.Data); };
        return server;
    }

    /// <summary>SIGKILL: the process gets no chance to finish a write or clean up.</summary>
    public async Task KillHardAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM and a wait: the graceful stop Ctrl+C or systemd gives.</summary>
    public async Task StopAsync(TimeSpan? timeout = null)
    {
        if (_process.HasExited) return;
        Posix.kill(_process.Id, Posix.SIGTERM);
        using var wait = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try { await _process.WaitForExitAsync(wait.Token); }
        catch (OperationCanceledException) { await KillHardAsync(); }
    }

    /// <summary>Resident and peak resident memory of the server process in bytes (Linux /proc), or null elsewhere.</summary>
    public (long Resident, long Peak)? Memory()
    {
        string status = $"/proc/{_process.Id}/status";
        if (!File.Exists(status)) return null;
        long Field(string name) =>
            File.ReadLines(status).Where(l => l.StartsWith(name + ":", StringComparison.Ordinal))
                .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024).FirstOrDefault();
        try { return (Field("VmRSS"), Field("VmHWM")); }
        catch (IOException) { return null; }
    }

    static string Tail(string text) => text.Length <= 2000 ? text : "..." + text[^2000..];

    [GeneratedRegex(@"^OAIMS listening on (https?://\S+)$")]
    private static partial Regex ListeningLine();

    static class Posix
    {
        public const int SIGTERM = 15;
        [System.Runtime.InteropServices.DllImport("libc")]
        public static extern int kill(int pid, int signal);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }
}
