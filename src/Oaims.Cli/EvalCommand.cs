using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Oaims.Learning;
using Oaims.Learning.Checkpoints;
using Oaims.Learning.Data;
using Oaims.Learning.Evaluation;
using static Oaims.Cli.CliOptions;

namespace Oaims.Cli;

/// <summary>`oaims eval`: plays the simulated user over a dataset and writes summary.json, images.csv and a plot.</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var model = Required("--model", "model name under models/ (e.g. brain-flair) or a checkpoint folder");
        var data = Required("--data", "dataset folder");
        var output = Required("--out", "folder for summary.json, images.csv and dice_vs_clicks.png");
        var modality = Optional("--modality", "brain: image file name without .nii.gz (default flair)");
        var cases = Optional("--cases", "comma-separated cases (brain) or image ids (fundus); default all");
        var split = Optional("--split", "fundus: manifest split (train or test)");
        var strategy = WithDefault("--strategy", "none", "adaptation strategy");
        var clicks = WithDefault("--clicks", 10, "clicks per image");
        var order = WithDefault("--order", "file", "image order: file, random or worst-first");
        var seed = WithDefault("--seed", 0, "seed for the random order");

        var command = new Command("eval", "Evaluate a model with the simulated user (Dice after each click, NoC).");
        foreach (var o in new Option[] { model, data, output, modality, cases, split, strategy, clicks, order, seed }) command.Options.Add(o);
        command.SetAction(parse => Guarded(() =>
        {
            TorchRuntime.UseThreads();
            var (network, card) = Checkpoint.Load(ModelCatalog.Resolve(parse.GetValue(model)!));
            network.eval();
            var task = card.ToTask();
            int clickCount = parse.GetValue(clicks);
            if (clickCount < 1 || clickCount > 50) throw new ArgumentException("--clicks must be between 1 and 50.");
            if (parse.GetValue(strategy) != "none") throw new ArgumentException($"Unknown strategy '{parse.GetValue(strategy)}'.");
            var samples = TaskData.Load(task, parse.GetValue(data)!, parse.GetValue(modality), SplitList(parse.GetValue(cases)), parse.GetValue(split), forTraining: false);
            if (samples.Count == 0) throw new ArgumentException("No images matched the selection.");

            var clock = Stopwatch.StartNew();
            var results = new List<ImageResult>();
            foreach (var sample in samples)
            {
                results.AddRange(InteractiveEvaluator.Frozen(network, task, [sample], clickCount));
                var last = results[^1];
                Console.Error.WriteLine($"[{results.Count}/{samples.Count}] {sample.Id}: Dice@1 {Format(last.DicePerClick[0])} Dice@{clickCount} {Format(last.DicePerClick[^1])}");
            }
            var extra = new JsonObject { ["model"] = card.Name, ["strategy"] = parse.GetValue(strategy), ["clicks"] = clickCount };
            string outDir = parse.GetValue(output)!;
            EvaluationReport.Write(outDir, results, task.Structures, clickCount, clock.Elapsed.TotalSeconds, $"{card.Name} ({parse.GetValue(strategy)})", extra);
            Console.WriteLine(File.ReadAllText(Path.Combine(outDir, "summary.json")));
            return 0;
        }));
        return command;
    }

    static string Format(double[] dice) => string.Join("/", dice.Select(d => d.ToString("F3")));
}
