using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Oaims.Imaging;
using Oaims.Learning.Data;
using Oaims.Learning.Inference;

namespace Oaims.Cli.Prelabel;

/// <summary>
/// `oaims prelabel --bench`: the run's rate (reading, normalising, batched forward passes, writing) against bare forward
/// passes over the same slices one at a time (inputs built beforehand, nothing else timed), in the same process.
/// </summary>
public static class PrelabelBenchmark
{
    const string Begin = "<!-- BEGIN pre-labelling throughput (written by `oaims prelabel --bench`) -->";
    const string End = "<!-- END pre-labelling throughput -->";
    // Inputs built at once for the bare passes: bounds the memory a 155-slice volume needs.
    const int Chunk = 16;

    public static JsonObject Measure(VolumeProposer proposer, IReadOnlyList<PrelabelOutcome> outcomes, PrelabelProgress run, string markdownFile, string model)
    {
        var written = outcomes.Where(o => o.Status == PrelabelOutcome.Written).ToList();
        if (written.Count == 0) throw new ArgumentException("--bench needs at least one input pre-labelled in this run.");
        double bareSeconds = 0;
        long bareSlices = 0;
        foreach (var outcome in written)
        {
            var normalised = IntensityNormaliser.NormalisedCopy(VolumeIO.Read(outcome.Input), proposer.Task);
            int depth = normalised.Dims[VolumeProposer.SliceAxis];
            for (int first = 0; first < depth; first += Chunk)
            {
                using var inputs = proposer.Inputs(normalised, Enumerable.Range(first, Math.Min(Chunk, depth - first)).ToArray());
                var clock = Stopwatch.StartNew();
                proposer.ForwardOneByOne(inputs);
                bareSeconds += clock.Elapsed.TotalSeconds;
                bareSlices += inputs.shape[0];
            }
        }
        double bareRate = bareSlices / bareSeconds, ratio = run.SlicesPerSecond / bareRate;
        double load = File.Exists("/proc/loadavg") ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture) : double.NaN;
        string section = string.Join("\n",
            Begin, "## Pre-labelling throughput", "",
            $"Command: `{Oaims.Cli.CliOptions.CommandLine()}`.", "",
            $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load average {load:F2} at the end; model {model}, " +
            $"{written.Count} files, {run.Slices} slices, batches of {proposer.BatchSize}.",
            "The run: reading (the next file while the model runs), normalising, batched click-free forward passes, labels back to native " +
            "pixels, writing. Bare: forward passes alone over the same slices one at a time, inputs built beforehand.", "",
            "| run (slices/s) | bare forward (slices/s) | ratio | target |", "|---:|---:|---:|---|",
            $"| {run.SlicesPerSecond:F2} | {bareRate:F2} | {ratio:F2} | >= 0.9: **{(ratio >= 0.9 ? "met" : "not met")}** |", End);
        MarkdownSection.Replace(markdownFile, Begin, End, section);
        return new JsonObject
        {
            ["run_slices_per_second"] = Math.Round(run.SlicesPerSecond, 3), ["bare_slices_per_second"] = Math.Round(bareRate, 3),
            ["ratio"] = Math.Round(ratio, 3), ["load_average"] = load,
        };
    }
}
