using System.Globalization;
using System.Text;
using Grpc.Core;

namespace Oaims.Cli.Reliability;

/// <summary>The figures of one `oaims soak` run, the checks they must pass, and the page they become (docs/reliability.md).</summary>
public sealed class SoakReport(SoakCommand.Settings settings, string commandLine)
{
    readonly DateTimeOffset _started = DateTimeOffset.UtcNow;
    readonly string? _commit = SourceControl.Commit();
    readonly bool? _dirty = SourceControl.IsDirty();

    public MalformedSummary? Malformed { get; set; }
    public KillDuringWrites.Result? Kills { get; set; }
    public ConcurrentAnnotators.Result? Annotators { get; set; }
    public UploadMemory.Result? Memory { get; set; }
    /// <summary>Server processes that died without being killed by the soak.</summary>
    public int Crashes { get; set; }

    int AllCrashes => Crashes + (Kills?.Crashes ?? 0) + (Malformed?.ServerDied == true ? 1 : 0);

    public bool Passed =>
        AllCrashes == 0
        && Malformed is { InternalOrUnknown: 0, Accepted: 0, WeightsUnchanged: true, DatastoreUnchanged: true }
        && Kills is { } k && k.GoodRestores == k.Cycles.Count && k.Cycles.Count == settings.Kills
        && Annotators is { Failures: 0 }
        && Memory is { WithinBound: true };

    public string ToMarkdown()
    {
        var page = new StringBuilder();
        void Line(string text = "") => page.Append(text).Append('\n');
        string Mb(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("F0", CultureInfo.InvariantCulture);
        string F(double value, string format = "F0") => value.ToString(format, CultureInfo.InvariantCulture);

        Line("# Reliability (written by `make soak`)");
        Line();
        Line($"Run {_started:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores, {Mb(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes)} MiB of memory, " +
             $"load average {LoadAverage()} at the end; commit `{_commit ?? "unknown"}`{(_dirty == true ? " with uncommitted changes (dirty tree)" : _dirty == false ? " (clean tree)" : "")}.");
        Line($"Command: `{commandLine}`. Every server is a real `oaims serve` process (model `{settings.Model}` from `{settings.Models}`), started and killed by the soak.");
        Line();
        Line($"**Result: {(Passed ? "passed" : "FAILED")}.** Server crashes (a process that died without being killed): **{AllCrashes}**.");
        Line();

        if (Malformed is { } m)
        {
            Line($"## Malformed requests ({m.Outcomes.Count}, seed {settings.Seed})");
            Line();
            Line($"Every RPC of oaims.v1.Segmentation, Workspaces, Propagation and Datastore ({MalformedRequests.Methods.Count} methods; the server has a datastore of two " +
                 "small NIfTI images, one held by a session) with wrong, empty, huge, non-ASCII and newline-suffixed names and ids, " +
                 "overflowing numbers and dims, bad headers, payloads, clicks, slices and paths, unknown strategies, absent or held images, and bytes that are no protobuf message. " +
                 $"INTERNAL or UNKNOWN: **{m.InternalOrUnknown}**; wrongly accepted: **{m.Accepted}**; target workspace's weights checksum unchanged: **{(m.WeightsUnchanged ? "yes" : "NO")}**; " +
                 $"datastore unchanged (no label stored, no image leased): **{(m.DatastoreUnchanged ? "yes" : "NO")}**; " +
                 $"longest status sentence: {m.Outcomes.Max(o => o.Detail.Length)} characters.");
            Line();
            Line("| status | requests |");
            Line("|---|---|");
            foreach (var group in m.Outcomes.GroupBy(o => o.Code).OrderByDescending(g => g.Count()))
                Line($"| {group.Key} | {group.Count()} |");
            Line();
            foreach (var bad in m.Outcomes.Where(o => o.Code is StatusCode.Internal or StatusCode.Unknown or StatusCode.OK).Take(20))
                Line($"- not refused properly: {bad}");
        }

        if (Kills is { } k)
        {
            Line($"## SIGKILL during commits, saves and exports ({k.Cycles.Count} kills)");
            Line();
            Line("A client commits images (3 clicks each, 256x256 phantom, PI then the workspace save), saves the workspace (SaveCheckpoint) and exports it " +
                 "(ExportCheckpoint), over and over, while the server is killed with SIGKILL (odd kills at a random moment 0.3-9 s into its run, even kills " +
                 "a random 0-80 ms into a commit, a save or an export, in turn); then the server is started " +
                 "again with the same flags. After each start the workspace must be at the last acknowledged version with the same weights checksum (or at the " +
                 "version of a commit that was in flight, saved but not yet answered, or answered but not yet read back), the saved folder must restore to an acknowledged save and the exported " +
                 "checkpoint must load with its weights hash verified.");
            Line();
            Line($"Restores of the last good state: **{k.GoodRestores}/{k.Cycles.Count}**; mean start-up time {F(k.MeanRestartSeconds, "F1")} s.");
            Line();
            Line("| kill | after ms | interrupted | after the restart |");
            Line("|---|---|---|---|");
            foreach (var c in k.Cycles) Line($"| {c.Number} | {F(c.KilledAfterMs)} | {c.InterruptedDuring} | {c.Outcome} |");
            Line();
        }

        if (Annotators is { } a)
        {
            Line($"## {a.Clients} annotators x {a.ClicksEach} clicks in one workspace");
            Line();
            Line($"Each annotator uploads its own 256x256 phantom and clicks where the simulated user would, all at once in one shared workspace (strategy pi+mi), " +
                 "then commits. A click's round trip includes its wait behind the other annotators' clicks: one worker serialises a workspace's model.");
            Line();
            Line("| clicks | failed calls | p50 ms | p99 ms | max ms | model version after | seconds |");
            Line("|---|---|---|---|---|---|---|");
            Line($"| {a.Clicks} | {a.Failures} | {F(a.P50)} | {F(a.P99)} | {F(a.Max)} | {a.FinalVersion} | {F(a.Seconds)} |");
            Line();
        }

        if (Memory is { } mem)
        {
            Line($"## Memory with {mem.Uploads} uploads");
            Line();
            Line($"{mem.Uploads} distinct 160x160x80 volumes ({Mb(mem.VolumeBytes)} MiB each as float32, {Mb(mem.VolumeBytes * mem.Uploads)} MiB in all) uploaded to a server started with " +
                 $"`--memory-budget-mb {Mb(mem.BudgetBytes)}`, a session opened and closed on every tenth. Resident memory from /proc (VmRSS, peak VmHWM). " +
                 $"The bound is the budget + {Mb(mem.AllowanceBytes)} MiB for what the budget does not charge (the .NET runtime, LibTorch and its threads, " +
                 "gRPC buffers in flight, the GC's headroom); the idle column is the server with its models loaded, before any upload.");
            Line();
            Line("| idle MiB | budget MiB | bound MiB | peak MiB | at the end MiB | uploads refused | within bound |");
            Line("|---|---|---|---|---|---|---|");
            Line($"| {Mb(mem.IdleResident)} | {Mb(mem.BudgetBytes)} | {Mb(mem.Bound)} | {Mb(mem.PeakResident)} | {Mb(mem.FinalResident)} | {mem.Refused} | {(mem.WithinBound ? "yes" : "NO")} |");
            Line();
            Line("Resident MiB after n uploads: " + string.Join(", ", mem.Samples.Select(s => $"{s.Uploads}: {Mb(s.Resident)}")) + ".");
            Line();
        }
        return page.ToString();
    }

    static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";
}
