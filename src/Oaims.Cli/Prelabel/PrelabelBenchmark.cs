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

    /// <summary>Bare forward passes, one slice at a time, over every slice of the files: (slices, seconds).</summary>
    public static (long Slices, double Seconds) Bare(VolumeProposer proposer, IEnumerable<string> files)
    {
        double seconds = 0;
        long slices = 0;
        foreach (string file in files)
        {
            var normalised = IntensityNormaliser.NormalisedCopy(VolumeIO.Read(file), proposer.Task);
            int depth = normalised.Dims[VolumeProposer.SliceAxis];
            for (int first = 0; first < depth; first += Chunk)
            {
                using var inputs = proposer.Inputs(normalised, Enumerable.Range(first, Math.Min(Chunk, depth - first)).ToArray());
                var clock = Stopwatch.StartNew();
                proposer.ForwardOneByOne(inputs);
                seconds += clock.Elapsed.TotalSeconds;
                slices += inputs.shape[0];
            }
        }
        return (slices, seconds);
    }

    /// <summary>
    /// Writes the figure: the run's rate against the bare rate measured just before and just after it (the mean of the
    /// two, so that a machine whose load changes during the run is not compared with one moment of it).
    /// </summary>
    public static JsonObject Write(VolumeProposer proposer, PrelabelProgress run, (long Slices, double Seconds) before, (long Slices, double Seconds) after,
                                   int files, string markdownFile, string model)
    {
        double bareRate = (before.Slices + after.Slices) / (before.Seconds + after.Seconds), ratio = run.SlicesPerSecond / bareRate;
        double load = File.Exists("/proc/loadavg") ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture) : double.NaN;
        string section = string.Join("\n",
            Begin, "## Pre-labelling throughput", "",
            $"Command: `{Oaims.Cli.CliOptions.CommandLine()}`.", "",
            $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load average {load:F2} at the end; model {model}, " +
            $"{files} files, {run.Slices} slices, batches of {proposer.BatchSize}; bare passes timed before and after the run: " +
            $"{before.Slices / before.Seconds:F2} and {after.Slices / after.Seconds:F2} slices/s.",
            "The run: reading (the next file while the model runs), normalising, batched click-free forward passes, labels back to native " +
            "pixels, writing. Bare: forward passes alone over the same slices one at a time, inputs built beforehand; the ratio is the run's " +
            "rate over the mean bare rate.", "",
            "| run (slices/s) | bare forward (slices/s) | ratio | target |", "|---:|---:|---:|---|",
            $"| {run.SlicesPerSecond:F2} | {bareRate:F2} | {ratio:F2} | >= 0.9: **{(ratio >= 0.9 ? "met" : "not met")}** |", End);
        MarkdownSection.Replace(markdownFile, Begin, End, section);
        return new JsonObject
        {
            ["run_slices_per_second"] = Math.Round(run.SlicesPerSecond, 3), ["bare_slices_per_second"] = Math.Round(bareRate, 3),
            ["bare_before_slices_per_second"] = Math.Round(before.Slices / before.Seconds, 3),
            ["bare_after_slices_per_second"] = Math.Round(after.Slices / after.Seconds, 3),
            ["ratio"] = Math.Round(ratio, 3), ["load_average"] = load,
        };
    }
}
