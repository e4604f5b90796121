using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Oaims.Learning;
using Oaims.Learning.Adaptation;
using Oaims.Learning.Checkpoints;
using Oaims.Learning.Data;
using Oaims.Learning.Evaluation;
using Oaims.Learning.Sessions;
using static Oaims.Cli.CliOptions;

namespace Oaims.Cli;

/// <summary>
/// `oaims eval`: the online protocol with the simulated user (images in order, each seen once, the model
/// carried over); writes summary.json, images.csv, steps.csv and plots.
/// </summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var model = Required("--model", "model name under models/ (e.g. brain-flair) or a checkpoint folder");
        var data = Required("--data", "dataset folder");
        var output = Required("--out", "folder for summary.json, images.csv, steps.csv and the plots");
        var modality = Optional("--modality", "brain: image file name without .nii.gz (default flair)");
        var cases = Optional("--cases", "comma-separated cases (brain) or image ids (fundus); default all");
        var split = Optional("--split", "fundus: manifest split (train or test)");
        var strategy = WithDefault("--strategy", "none", $"adaptation strategy: {string.Join(", ", AdaptationStrategies.Names)}");
        var learningRate = new Option<double?>("--lr") { Description = "adaptation learning rate (default: the method's per-task rate, or the tuned baseline rate)" };
        var clicks = WithDefault("--clicks", 10, "clicks per image");
        var order = WithDefault("--order", "file", $"image order: {string.Join(", ", StreamOrder.Names)}");
        var seed = WithDefault("--seed", 0, "seed for the random order");
        var sliceOffset = WithDefault("--slice-offset", 0, "brain: which of every n lesion slices to keep (another offset: a stream of the same cases sharing no slice)");
        var lesionSlicesEvery = WithDefault("--lesion-slices-every", 3, "brain: keep one lesion slice in n (1: every one, as the reported stream of docs/results.md)");
        var every = WithDefault("--every", 1, "keep every n-th image of the stream (cheaper runs)");
        var fieldOfView = WithDefault("--field-of-view", 0, "slice protocol: side in pixels of the window the first click centres the model on (0: the whole image), for images whose structure is much smaller than in training");
        var shift = Optional("--shift", "synthetic shift applied to every image (fundus: gamma:0.6, blur:2, colour:0.8)");
        var variant = Optional("--variant", $"choices inside MI/PI, comma-separated: {string.Join(", ", AdaptationSettings.Names)} (default: the measured defaults)");
        var saveModel = Optional("--save-model", "also write the model as adapted at the end of the stream as a checkpoint folder (usable with --model)");
        var protocol = WithDefault("--protocol", "slice", "slice: the stream of 2D slices; volume: brain volumes, each click followed by propagation (docs/volume.md)");
        var seeding = WithDefault("--seeding", PropagationSeeding.Default.Name, $"volume protocol: how propagation seeds each slice ({string.Join(", ", PropagationSeeding.All.Select(s => s.Name))})");

        var command = new Command("eval", "Evaluate a model with the simulated user, frozen or adapting online.");
        foreach (var o in new Option[] { model, data, output, modality, cases, split, strategy, learningRate, clicks, order, seed, shift, sliceOffset, lesionSlicesEvery, every, variant, saveModel, protocol, seeding, fieldOfView }) command.Options.Add(o);
        command.SetAction(parse => Guarded(() =>
        {
            TorchRuntime.UseThreads();
            string strategyName = parse.GetValue(strategy)!;
            int clickCount = parse.GetValue(clicks);
            if (clickCount < 1 || clickCount > 50) throw new ArgumentException("--clicks must be between 1 and 50.");
            if (parse.GetValue(protocol) == "volume")
            {
                if (parse.GetValue(saveModel) is not null) throw new ArgumentException("--save-model goes with the slice protocol only.");
                var volumeSummary = VolumeEvaluation.Run(new VolumeEvaluation.Options(ModelCatalog.Resolve(parse.GetValue(model)!), parse.GetValue(data)!, parse.GetValue(output)!,
                    parse.GetValue(modality) ?? "flair", SplitList(parse.GetValue(cases)), strategyName, parse.GetValue(learningRate), clickCount, PropagationSeeding.ByName(parse.GetValue(seeding)!)));
                Console.WriteLine(volumeSummary.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            if (parse.GetValue(protocol) != "slice") throw new ArgumentException($"--protocol is slice or volume, not '{parse.GetValue(protocol)}'.");
            if (parse.GetValue(fieldOfView) < 0) throw new ArgumentException("--field-of-view is a side in pixels, or 0 for the whole image.");
            string? savedModel = parse.GetValue(saveModel);
            if (savedModel is not null) CheckpointOutput.Check(savedModel); // before the stream, not after an hour of it
            var settings = AdaptationSettings.Parse(parse.GetValue(variant)); // a mistyped variant before the model loads
            string modelFolder = ModelCatalog.Resolve(parse.GetValue(model)!), dataDir = parse.GetValue(data)!;
            var provenance = RunProvenance.Start(dataDir);
            var (network, card) = Checkpoint.Load(modelFolder);
            provenance.AddModel(card.Name, modelFolder);
            using var learner = new OnlineLearner(network, card, strategyName, parse.GetValue(learningRate), settings: settings,
                                                  sourceImportance: settings.Consolidation > 0 ? SourceImportance.Load(modelFolder, network) : null);
            var task = learner.Task;
            var samples = TaskData.Load(task, dataDir, parse.GetValue(modality), SplitList(parse.GetValue(cases)), parse.GetValue(split), forTraining: false,
                                        parse.GetValue(sliceOffset), parse.GetValue(lesionSlicesEvery), provenance.Data.Add);
            if (parse.GetValue(every) < 1) throw new ArgumentException("--every must be at least 1.");
            samples = StreamOrder.EveryNth(samples, parse.GetValue(every));
            if (samples.Count == 0) throw new ArgumentException("No images matched the selection.");
            if (parse.GetValue(shift) is { } shiftSpec) samples = samples.Select(SyntheticShift.Parse(shiftSpec).Apply).ToList();
            samples = StreamOrder.Apply(parse.GetValue(order)!, samples, parse.GetValue(seed), FrozenDiceAtOne(modelFolder, task));

            var scored = ScoredStructures.For(task, dataDir);
            Console.Error.WriteLine($"{card.Name}: {samples.Count} images, scored on {string.Join(" and ", scored.Structures.Select(s => s.Name))}, strategy {strategyName} (lr {learner.LearningRate:G3}), order {parse.GetValue(order)}");
            var clock = Stopwatch.StartNew();
            var stream = OnlineStream.Run(learner, samples, clickCount, (n, r) =>
                Console.Error.WriteLine($"[{n}/{samples.Count}] {r.Id}: Dice@1 {Format(r.DicePerClick[0])} Dice@{clickCount} {Format(r.DicePerClick[^1])} ({r.Seconds:F1} s)"), scored, parse.GetValue(fieldOfView));

            string outDir = parse.GetValue(output)!;
            var extra = new JsonObject
            {
                ["model"] = card.Name, ["strategy"] = strategyName, ["variant"] = settings.ToString(), ["learning_rate"] = learner.LearningRate, ["order"] = parse.GetValue(order),
                ["seed"] = parse.GetValue(seed), ["clicks"] = clickCount, ["field_of_view"] = parse.GetValue(fieldOfView), ["shift"] = parse.GetValue(shift), ["final_version"] = learner.Version,
                ["adaptation"] = StepReport.Summary(stream), ["provenance"] = provenance.ToJson(),
            };
            EvaluationReport.Write(outDir, stream.Images, scored.Structures, clickCount, clock.Elapsed.TotalSeconds, $"{card.Name} ({strategyName})", extra);
            StepReport.Write(outDir, stream);
            Charts.DiceAgainstImages(Path.Combine(outDir, "dice_vs_image.png"), $"{card.Name} ({strategyName})", stream.Images, scored.Structures);
            if (savedModel is not null)
            {
                string streamText = $"{dataDir}: {samples.Count} images in {parse.GetValue(order)} order (seed {parse.GetValue(seed)}), {clickCount} clicks each" +
                                    (parse.GetValue(shift) is { } s ? $", shift {s}" : "");
                SaveAdapted(savedModel, learner, provenance, streamText, samples.Count);
            }
            Console.WriteLine(File.ReadAllText(Path.Combine(outDir, "summary.json")));
            return 0;
        }));
        return command;
    }

    /// <summary>The model as adapted at the end of the stream, as a checkpoint whose card names the source, strategy, rate, stream and commit.</summary>
    static void SaveAdapted(string folder, OnlineLearner learner, RunProvenance provenance, string stream, int images)
    {
        var source = learner.SourceCard;
        var origin = new OriginCard
        {
            Kind = OriginCard.OnlineAdaptation, Source = source.Name, SourceSha256 = provenance.ModelWeightsSha256[source.Name],
            Command = CommandLine(), Commit = provenance.Commit, Strategy = learner.Strategy.Name, LearningRate = learner.LearningRate,
            Stream = $"{stream}; data manifest {provenance.Data.Sha256}", Images = images, Version = learner.Version,
        };
        CheckpointOutput.Save(folder, into => learner.ExportCheckpoint(into, CheckpointOutput.NameOf(folder), origin));
        Console.Error.WriteLine($"Saved the adapted model (version {learner.Version}) to {folder}.");
    }

    /// <summary>Dice at one click of the frozen source model, per image (for the worst-first order).</summary>
    static Func<IReadOnlyList<SliceSample>, IReadOnlyList<double>> FrozenDiceAtOne(string modelFolder, SegmentationTask task) => samples =>
    {
        var (frozen, _) = Checkpoint.Load(modelFolder);
        frozen.eval();
        return InteractiveEvaluator.Frozen(frozen, task, samples, 1).Select(r => r.DicePerClick[0][0]).ToList();
    };

    static string Format(double[] dice) => string.Join("/", dice.Select(d => d.ToString("F3")));
}
