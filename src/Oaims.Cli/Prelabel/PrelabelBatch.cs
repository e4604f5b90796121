using System.Text.Json.Nodes;
using Oaims.Imaging;
using Oaims.Learning.Inference;

namespace Oaims.Cli.Prelabel;

/// <summary>What became of one input: written, skipped (its label map was there already) or failed, with why.</summary>
public sealed record PrelabelOutcome(string Input, string Status, int Slices, string? Error)
{
    public const string Written = "written", Skipped = "skipped", Failed = "failed";
}

/// <summary>
/// Pre-labels a list of images into one folder: every slice proposed by the model, the label map written atomically as
/// OUT/&lt;input file name&gt; with the input's geometry. Finished outputs are skipped (a rerun resumes), a bad input is
/// reported and the batch goes on, and the next file is read while the model runs on the current one.
/// </summary>
/// <param name="propose">The label of every voxel of an image (click-free proposals, or seeded by propagation); it reports slices done.</param>
public sealed class PrelabelBatch(Func<Volume, Action<int>, byte[]> propose, string outputFolder, PrelabelProgress progress)
{
    /// <summary>Where the label map of an input goes.</summary>
    public string OutputOf(string input) => Path.Combine(outputFolder, Path.GetFileName(input));

    /// <summary>Where the run's time went (seconds): waiting for a file to be read, the model's work, waiting for a write to finish.</summary>
    public (double Reading, double Proposing, double Writing) Time => (_reading.Elapsed.TotalSeconds, _proposing.Elapsed.TotalSeconds, _writing.Elapsed.TotalSeconds);

    readonly System.Diagnostics.Stopwatch _reading = new(), _proposing = new(), _writing = new();

    public IReadOnlyList<PrelabelOutcome> Run(IReadOnlyList<string> inputs)
    {
        var outcomes = new List<PrelabelOutcome>();
        var pending = new List<string>();
        foreach (string input in inputs)
        {
            if (File.Exists(OutputOf(input))) Finish(outcomes, new PrelabelOutcome(input, PrelabelOutcome.Skipped, 0, null));
            else pending.Add(input);
        }

        Task<Volume>? next = pending.Count > 0 ? Read(pending[0]) : null;
        Task<PrelabelOutcome>? writing = null;
        for (int i = 0; i < pending.Count; i++)
        {
            string input = pending[i];
            var reading = next!;
            next = i + 1 < pending.Count ? Read(pending[i + 1]) : null;
            var proposed = Propose(input, reading);
            _writing.Start();
            if (writing is not null) Finish(outcomes, writing.GetAwaiter().GetResult());
            _writing.Stop();
            writing = proposed.Labels is { } labels
                ? Task.Run(() => Write(input, proposed.Image!, labels))
                : Task.FromResult(proposed.Failure!);
        }
        _writing.Start();
        if (writing is not null) Finish(outcomes, writing.GetAwaiter().GetResult());
        _writing.Stop();
        progress.Finish();
        return outcomes;
    }

    void Finish(List<PrelabelOutcome> outcomes, PrelabelOutcome outcome)
    {
        outcomes.Add(outcome);
        progress.FileDone(Path.GetFileName(outcome.Input), outcome.Error is null ? outcome.Status : $"{outcome.Status}: {outcome.Error}", outcome.Slices > 0);
    }

    static Task<Volume> Read(string input) => Task.Run(() => VolumeIO.Read(input));

    (Volume? Image, byte[]? Labels, PrelabelOutcome? Failure) Propose(string input, Task<Volume> reading)
    {
        try
        {
            _reading.Start();
            var image = reading.GetAwaiter().GetResult();
            _reading.Stop();
            _proposing.Start();
            var labels = propose(image, progress.SlicesDone);
            _proposing.Stop();
            return (image, labels, null);
        }
        catch (Exception e) when (IsBadInput(e))
        {
            _reading.Stop();
            _proposing.Stop();
            return (null, null, new PrelabelOutcome(input, PrelabelOutcome.Failed, 0, e.Message));
        }
    }

    PrelabelOutcome Write(string input, Volume image, byte[] labels)
    {
        try
        {
            var labelMap = new Volume(image.Dims, [Array.ConvertAll(labels, l => (float)l)], image.IjkToRas);
            VolumeIO.Write(labelMap, OutputOf(input), VoxelType.UInt8);
            return new PrelabelOutcome(input, PrelabelOutcome.Written, image.Dims[VolumeProposer.SliceAxis], null);
        }
        catch (Exception e) when (IsBadInput(e))
        {
            return new PrelabelOutcome(input, PrelabelOutcome.Failed, 0, $"writing {OutputOf(input)}: {e.Message}");
        }
    }

    // A user's file or folder at fault: reported for that input, and the batch goes on. Anything else stops the run.
    static bool IsBadInput(Exception e) =>
        e is ImageFormatException or IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException;

    /// <summary>
    /// The summary's name in OUT: summary.json, or summary-i-of-n.json for shard i/n, because the shards of an array job
    /// usually write into one shared folder and would otherwise replace each other's summary.
    /// </summary>
    public static string SummaryFileName(Shard shard) => shard.Count == 1 ? "summary.json" : $"summary-{shard.Index}-of-{shard.Count}.json";

    /// <summary>OUT/summary.json's content: counts, time, rate, the inputs written and every failure with its reason.</summary>
    public static JsonObject Summary(IReadOnlyList<PrelabelOutcome> outcomes, PrelabelProgress progress, JsonObject extra)
    {
        var summary = new JsonObject
        {
            ["files"] = outcomes.Count,
            ["ok"] = outcomes.Count(o => o.Status == PrelabelOutcome.Written),
            ["skipped"] = outcomes.Count(o => o.Status == PrelabelOutcome.Skipped),
            ["failed"] = outcomes.Count(o => o.Status == PrelabelOutcome.Failed),
            ["seconds"] = Math.Round(progress.Seconds, 3),
            ["slices"] = progress.Slices,
            ["slices_per_second"] = Math.Round(progress.SlicesPerSecond, 3),
            ["written"] = new JsonArray(outcomes.Where(o => o.Status == PrelabelOutcome.Written)
                .Select(o => (JsonNode)JsonValue.Create(Path.GetFileName(o.Input))).ToArray()),
            ["failures"] = new JsonArray(outcomes.Where(o => o.Status == PrelabelOutcome.Failed)
                .Select(o => (JsonNode)new JsonObject { ["file"] = o.Input, ["error"] = o.Error }).ToArray()),
        };
        foreach (var (key, value) in extra) summary[key] = value?.DeepClone();
        return summary;
    }
}
