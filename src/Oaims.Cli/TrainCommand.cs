using System.CommandLine;
using Oaims.Learning;
using Oaims.Learning.Checkpoints;
using Oaims.Learning.Data;
using Oaims.Learning.Evaluation;
using Oaims.Learning.Training;
using static Oaims.Cli.CliOptions;

namespace Oaims.Cli;

/// <summary>`oaims train`: source training of an interactive model with simulated clicks; resumable.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var task = Required("--task", "brain-lesion or fundus-odoc");
        var data = Required("--data", "dataset folder (brain case folders, or fundus images/ masks/ manifest.csv)");
        var output = Required("--out", "checkpoint folder to write, e.g. models/brain-flair (an interrupted run resumes from it)");
        var modality = Optional("--modality", "brain: image file name without .nii.gz (default flair)");
        var trainCases = Optional("--train-cases", "brain: comma-separated training cases (default: all but the last)");
        var validationCases = Optional("--val-cases", "brain: comma-separated validation cases (default: the last)");
        var trainSplit = WithDefault("--train-split", "train", "fundus: manifest split to train on");
        var validationSplit = Optional("--val-split", "fundus: a manifest split to choose the checkpoint on instead of the held-out training images (never the split you report on)");
        var validationFraction = WithDefault("--val-fraction", 0.2, "fundus: share of the training split held out (fixed ids) to choose the checkpoint on");
        var steps = WithDefault("--steps", 2000, "training steps (batches)");
        var batch = WithDefault("--batch", 8, "batch size");
        var learningRate = WithDefault("--lr", 5e-4, "Adam learning rate");
        var minutes = WithDefault("--minutes", 55.0, "wall-clock budget; the best checkpoint so far is kept");
        var validateEvery = WithDefault("--validate-every", 200, "steps between validations");
        var seed = WithDefault("--seed", 0, "random seed");
        var licence = Optional("--data-licence", "licence of the training data, recorded in the card");
        var initFrom = Optional("--init-from", "a model name or checkpoint folder to start from instead of random weights (fine-tuning it; its architecture is kept, the optimizer starts fresh)");

        var command = new Command("train", "Train an interactive segmentation model on source data with simulated clicks.");
        foreach (var o in new Option[] { task, data, output, modality, trainCases, validationCases, trainSplit, validationSplit, validationFraction, steps, batch, learningRate, minutes, validateEvery, seed, licence, initFrom })
            command.Options.Add(o);
        command.SetAction(parse => Guarded(() =>
        {
            TorchRuntime.UseThreads();
            var segmentationTask = SegmentationTask.ByName(parse.GetValue(task)!);
            string dataDir = parse.GetValue(data)!, outDir = parse.GetValue(output)!;
            bool brain = segmentationTask == SegmentationTask.BrainLesion;
            var (startFrom, startCard) = StartingPoint(parse.GetValue(initFrom), segmentationTask); // refused before any data is read
            string? mod = brain ? parse.GetValue(modality) ?? "flair" : null;
            IReadOnlyList<string>? trainIds = null, validationIds = null;
            string? trainSplitName = brain ? null : parse.GetValue(trainSplit), validationSplitName = trainSplitName;
            if (brain)
            {
                var cases = BrainSlices.Cases(dataDir);
                validationIds = SplitList(parse.GetValue(validationCases)) ?? [cases[^1]];
                trainIds = SplitList(parse.GetValue(trainCases)) ?? cases.Except(validationIds).ToList();
            }
            else if (parse.GetValue(validationSplit) is { } named)
            {
                if (named.Equals(trainSplitName, StringComparison.OrdinalIgnoreCase))
                    throw new ArgumentException($"--val-split {named} is the training split; leave --val-split out to hold out part of it.");
                validationSplitName = named;
            }
            else
            {
                // Fundus: choose the checkpoint on held-out training images (patient = image), keeping the test split unseen.
                (trainIds, validationIds) = ValidationHoldout.Split(FundusImages.Ids(dataDir, trainSplitName), parse.GetValue(validationFraction));
            }
            var options = new TrainingOptions
            {
                Task = segmentationTask, Architecture = startCard?.ToConfig(), StartFrom = startFrom, Steps = parse.GetValue(steps), BatchSize = parse.GetValue(batch),
                LearningRate = parse.GetValue(learningRate), MaxMinutes = parse.GetValue(minutes),
                ValidateEvery = parse.GetValue(validateEvery), Seed = parse.GetValue(seed),
            };
            Console.Error.WriteLine($"Loading {segmentationTask.Name} data from {dataDir} ...");
            var train = TaskData.Load(segmentationTask, dataDir, mod, trainIds, trainSplitName, forTraining: true);
            var validation = TaskData.Load(segmentationTask, dataDir, mod, validationIds, validationSplitName, forTraining: false);
            Console.Error.WriteLine($"{train.Count} training images, {validation.Count} validation images; architecture {string.Join("/", options.ResolvedArchitecture.EncoderWidths)}+{options.ResolvedArchitecture.BottleneckWidth}.");

            string commandLine = "oaims " + string.Join(" ", Environment.GetCommandLineArgs().Skip(1));
            string? commit = SourceControl.Commit(); // the code that trains is the code checked out now, not at the end
            TrainingCard Provenance(TrainingCard card) => card with
            {
                Data = dataDir, Modality = mod, Commit = commit,
                TrainCases = [.. trainIds ?? [trainSplitName!]], ValidationCases = [.. validationIds ?? [validationSplitName!]],
                StartedFrom = parse.GetValue(initFrom), StartedFromSha256 = startCard?.WeightsSha256,
            };
            ModelCard Describe(TrainingCard card) => new()
            {
                Name = Path.GetFileName(Path.GetFullPath(outDir)), Task = segmentationTask.Name,
                Architecture = ArchitectureCard.From(options.ResolvedArchitecture), ClassNames = segmentationTask.ClassNames,
                InputSize = segmentationTask.InputSize, InputFit = segmentationTask.Fit.ToString(), Normalisation = segmentationTask.Normalisation.ToString(),
                Training = Provenance(card), DataLicence = parse.GetValue(licence),
            };

            var progress = new TrainingProgressPrinter();
            var trained = new SourceTrainer(options).Train(train, validation, outDir, Describe, progress.Print, commandLine);

            // Final figures of the chosen checkpoint on both splits, recorded in its card.
            var (network, card) = Checkpoint.Load(outDir);
            network.eval();
            var metrics = new Dictionary<string, double>();
            var trainForReport = TaskData.Load(segmentationTask, dataDir, mod, trainIds, trainSplitName, forTraining: false);
            foreach (var (split, samples) in new[] { ("train", trainForReport), ("validation", validation) })
            {
                var results = InteractiveEvaluator.Frozen(network, segmentationTask, samples, 10);
                var summary = EvaluationReport.Summary(results, segmentationTask.Structures, 10, 0);
                foreach (var (key, value) in Flatten(summary, split)) metrics[key] = value;
                Console.Error.WriteLine($"{split}: {summary.ToJsonString()}");
            }
            Checkpoint.Save(outDir, network, card with { Metrics = metrics, Training = Provenance(trained) });
            Console.WriteLine($"Saved {outDir} (best step {trained.BestStep} of {trained.Steps}, {trained.Seconds:F0} s).");
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// The checkpoint `--init-from` names, and its card; refused unless it does the task being trained at the same input size,
    /// since its weights would mean nothing for another one.
    /// </summary>
    static (string? Folder, ModelCard? Card) StartingPoint(string? nameOrPath, SegmentationTask task)
    {
        if (nameOrPath is null) return (null, null);
        string folder = ModelCatalog.Resolve(nameOrPath);
        var card = Checkpoint.ReadCard(folder);
        if (card.Task != task.Name || card.InputSize != task.InputSize)
            throw new ArgumentException($"--init-from {nameOrPath} is a {card.Task} model at {card.InputSize} px; this run trains {task.Name} at {task.InputSize} px.");
        return (folder, card);
    }

    /// <summary>{"dice_at":{"1":0.8}} under "validation" -> "validation.dice_at.1" = 0.8.</summary>
    static IEnumerable<(string, double)> Flatten(System.Text.Json.Nodes.JsonNode? node, string prefix)
    {
        switch (node)
        {
            case System.Text.Json.Nodes.JsonObject obj:
                foreach (var (key, child) in obj)
                    foreach (var item in Flatten(child, $"{prefix}.{key}")) yield return item;
                break;
            case System.Text.Json.Nodes.JsonValue value when value.TryGetValue(out double number):
                yield return (prefix, number);
                break;
            case System.Text.Json.Nodes.JsonValue value when value.TryGetValue(out int integer):
                yield return (prefix, integer);
                break;
        }
    }
}
