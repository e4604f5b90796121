using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Oaims.Cli.Prelabel;
using Oaims.Imaging;
using Oaims.Learning;
using Oaims.Learning.Checkpoints;
using Oaims.Learning.Adaptation;
using Oaims.Learning.Inference;
using Oaims.Learning.Sessions;
using static Oaims.Cli.CliOptions;

namespace Oaims.Cli;

/// <summary>
/// `oaims prelabel`: first-pass label maps for a cohort, every slice proposed click-free by a model (a shipped one, or a
/// workspace's exported/adapted checkpoint), written as OUT/&lt;input file name&gt; with OUT/summary.json (OUT/summary-i-of-n.json for shard i/n).
/// </summary>
public static class PrelabelCommand
{
    public static Command Create()
    {
        var model = Required("--model", "model name under models/ or a checkpoint folder (e.g. one written by eval --save-model or ExportCheckpoint)");
        var inputs = new Option<string[]>("--in") { Description = "image files and/or folders of images (NIfTI, NRRD, PNG)", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = Required("--out", "folder for the label maps (named as the inputs) and summary.json (summary-i-of-n.json with --shard i/n)");
        var shard = WithDefault("--shard", "0/1", "i/n: only the inputs whose file name hashes to share i of n (a cluster array job's index)");
        var batch = WithDefault("--batch", 1, "slices per forward pass (1 was the fastest on the 2-core CPU here, see docs/benchmarks.md; a GPU gains from 8-32)");
        var propagate = new Option<bool>("--propagate") { Description = "seed by propagation: from the slice where the click-free proposal is largest, propagate through the volume; slices it does not reach stay background" };
        var bench = Optional("--bench", "after the run, time bare forward passes over the same slices and write both rates to this markdown file");

        var command = new Command("prelabel", "Pre-label images with a model: every slice proposed without clicks, label maps written with the inputs' geometry.");
        foreach (var o in new Option[] { model, inputs, output, shard, batch, propagate, bench }) command.Options.Add(o);
        command.SetAction(parse => Guarded(() =>
        {
            var share = Shard.Parse(parse.GetValue(shard)!);
            int batchSize = parse.GetValue(batch);
            if (batchSize is < 1 or > 256) throw new ArgumentException("--batch must be between 1 and 256.");
            var files = PrelabelInputs.List(parse.GetValue(inputs)!, share);
            string outDir = parse.GetValue(output)!, modelFolder = ModelCatalog.Resolve(parse.GetValue(model)!);
            string? benchFile = parse.GetValue(bench);
            if (benchFile is not null && files.Any(f => File.Exists(Path.Combine(outDir, Path.GetFileName(f)))))
                throw new ArgumentException($"--bench times a full run, but {outDir} already holds label maps of these inputs: use an empty --out.");

            TorchRuntime.UseThreads();
            var (network, card) = Checkpoint.Load(modelFolder);
            network.eval();
            var proposer = new VolumeProposer(network, card.ToTask(), batchSize);
            Directory.CreateDirectory(outDir);
            var bareBefore = benchFile is null ? default : PrelabelBenchmark.Bare(proposer, files);
            var progress = PrelabelProgress.OnStandardError(files.Count);
            using var learner = parse.GetValue(propagate) ? new OnlineLearner(network, card, "none") : null;
            Func<Volume, Action<int>, byte[]> label = learner is null
                ? (image, done) => proposer.Propose(image, done)
                : (image, done) => PropagatedProposal.Propose(learner, proposer, image, done);
            var batchRun = new PrelabelBatch(label, outDir, progress);
            var outcomes = batchRun.Run(files);

            var extra = new JsonObject
            {
                ["model"] = card.Name, ["shard"] = share.ToString(), ["batch"] = batchSize, ["propagate"] = parse.GetValue(propagate), ["command"] = CommandLine(),
                ["seconds_waiting_for_reads"] = Math.Round(batchRun.Time.Reading, 3), ["seconds_proposing"] = Math.Round(batchRun.Time.Proposing, 3),
                ["seconds_waiting_for_writes"] = Math.Round(batchRun.Time.Writing, 3),
            };
            if (benchFile is not null)
            {
                if (outcomes.Any(o => o.Status != PrelabelOutcome.Written)) throw new InvalidDataException("--bench needs every input pre-labelled; see the failures above.");
                extra["bench"] = PrelabelBenchmark.Write(proposer, progress, bareBefore, PrelabelBenchmark.Bare(proposer, files), files.Count, benchFile, card.Name);
            }
            var summary = PrelabelBatch.Summary(outcomes, progress, extra);
            AtomicFile.WriteAllText(Path.Combine(outDir, PrelabelBatch.SummaryFileName(share)), summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            Console.WriteLine(summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            // 1, not 2: the run itself went through; a script still learns that some inputs need a look.
            return summary["failed"]!.GetValue<int>() > 0 ? 1 : 0;
        }));
        return command;
    }
}
