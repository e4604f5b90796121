using Oaims.Imaging;
using System.Diagnostics;
using System.Text.Json;
using Oaims.Interaction;
using Oaims.Learning.Checkpoints;
using Oaims.Learning.Data;
using Oaims.Learning.Evaluation;
using Oaims.Learning.Losses;
using Oaims.Learning.Network;
using TorchSharp;
using static TorchSharp.torch;

namespace Oaims.Learning.Training;

/// <summary>
/// Trains the interactive network on source data with simulated clicks (method.md): per sample K clicks,
/// K drawn from 0..10 (0 = click-free proposal); the first click inside the largest ground-truth
/// component, the rest in the error components of the model's own prediction from that first click.
/// Loss = DiceFocal + 200 * CCG; Adam. Validates on the held-out split, keeps the best checkpoint,
/// and saves its full state regularly so an interrupted run resumes where it stopped.
/// </summary>
public sealed class SourceTrainer(TrainingOptions options)
{
    const string StateFolder = "training-state";

    /// <summary>One fitted training sample kept in memory at model resolution.</summary>
    sealed record FittedSample(Tensor Image, Tensor Labels);

    public TrainingCard Train(IReadOnlyList<SliceSample> train, IReadOnlyList<SliceSample> validation, string outputDirectory,
                              Func<TrainingCard, ModelCard> describe, Action<TrainingProgress> report, string command)
    {
        TorchRuntime.EnsureLoaded();
        var task = options.Task;
        var config = options.ResolvedArchitecture;
        manual_seed(options.Seed);
        var network = new InteractiveUNet(config);
        var optimizer = optim.Adam(network.parameters(), options.LearningRate);
        var fitted = train.Select(Fit).ToList();

        int step = 0, bestStep = 0;
        double bestScore = -1, secondsBefore = 0;
        string statePath = Path.Combine(outputDirectory, StateFolder);
        if (TryResume(statePath, network, optimizer) is { } resumed)
        {
            (step, bestStep, bestScore, secondsBefore) = resumed;
            report(new TrainingProgress(step, options.Steps, double.NaN, secondsBefore, null, bestScore, bestStep, $"resumed at step {step}"));
        }
        else if (options.StartFrom is { } start)
        {
            var (source, _) = Checkpoint.Load(start);
            using (source) Checkpoint.LoadState(network, Checkpoint.StateEntries(source).ToList(), start);
            report(new TrainingProgress(0, options.Steps, double.NaN, 0, null, bestScore, bestStep, $"starting from the weights of {start}"));
        }

        var clock = Stopwatch.StartNew();
        double Seconds() => secondsBefore + clock.Elapsed.TotalSeconds;
        TrainingCard Card() => new()
        {
            Data = "", Command = command, Steps = step, BestStep = bestStep, Seconds = Math.Round(Seconds()),
            Seed = options.Seed, BatchSize = options.BatchSize, LearningRate = options.LearningRate,
            TrainImages = train.Count, ValidationImages = validation.Count,
        };

        while (step < options.Steps && Seconds() < options.MaxMinutes * 60)
        {
            foreach (var group in optimizer.ParamGroups) group.LearningRate = options.LearningRateAt(step, Seconds());
            var rng = new Random(HashCode.Combine(options.Seed, step)); // per-step seed: a resumed run draws the same batches
            double loss = TrainStep(network, optimizer, fitted, rng);
            step++;

            double? score = null;
            if (step % options.ValidateEvery == 0 || step == options.Steps)
            {
                score = ValidationScore(network, validation);
                if (score > bestScore)
                {
                    bestScore = score.Value; bestStep = step;
                    Checkpoint.Save(outputDirectory, network, describe(Card()));
                }
            }
            if (step % options.SaveStateEvery == 0 || score is not null)
                SaveState(statePath, network, optimizer, step, bestStep, bestScore, Seconds());
            report(new TrainingProgress(step, options.Steps, loss, Seconds(), score, bestScore, bestStep));
        }
        if (bestStep == 0)
        {
            // The budget ran out before the first validation: validate now so a checkpoint always exists.
            bestScore = ValidationScore(network, validation); bestStep = step;
            Checkpoint.Save(outputDirectory, network, describe(Card()));
        }
        SaveState(statePath, network, optimizer, step, bestStep, bestScore, Seconds());
        return Card();
    }

    FittedSample Fit(SliceSample sample)
    {
        var fitting = InputFitting.For(options.Task, sample.Width, sample.Height);
        return new FittedSample(fitting.Image(sample.Image, sample.Channels), fitting.Labels(sample.Truth!));
    }

    double TrainStep(InteractiveUNet network, optim.Optimizer optimizer, List<FittedSample> samples, Random rng)
    {
        using var scope = NewDisposeScope();
        int batch = options.BatchSize, classes = options.Task.Classes;
        var images = new List<Tensor>(); var labels = new List<Tensor>(); var truths = new List<LabelMap>();
        for (int b = 0; b < batch; b++)
        {
            var sample = samples[rng.Next(samples.Count)];
            var (image, label) = options.Augmentation.Apply(sample.Image, sample.Labels, rng);
            images.Add(image); labels.Add(label);
            int size = (int)label.shape[1];
            truths.Add(new LabelMap(size, (int)label.shape[0], label.to_type(ScalarType.Int32).data<int>().ToArray()));
        }
        var clicks = SimulateClicks(network, images, truths, rng);
        var input = stack(images.Select((img, b) => ModelInput.Build(img, clicks[b], classes)).ToArray());
        var target = stack(labels.ToArray());

        network.train();
        var logits = network.forward(input);
        var loss = DiceFocalLoss.Compute(logits, target) + ClickCentredGaussianLoss.Weighted(logits, target, clicks);
        optimizer.zero_grad();
        loss.backward();
        // A batch whose loss or gradients are not finite would poison Adam's moments: skip it.
        if (!float.IsFinite(loss.item<float>()) || network.parameters().Any(p => p.grad is { } g && !g.isfinite().all().item<bool>()))
            return double.NaN;
        optimizer.step();
        return loss.item<float>();
    }

    /// <summary>Training clicks: K in 0..MaxClicks per sample; the first in the largest true component, the
    /// others one per error component of the prediction made from the first click alone.</summary>
    List<IReadOnlyList<Click>> SimulateClicks(InteractiveUNet network, List<Tensor> images, List<LabelMap> truths, Random rng)
    {
        int batch = images.Count, classes = options.Task.Classes;
        var wanted = new int[batch];
        var clicks = new List<IReadOnlyList<Click>>();
        for (int b = 0; b < batch; b++)
        {
            wanted[b] = rng.Next(options.MaxClicks + 1);
            var first = wanted[b] > 0 ? SimulatedUser.SampleFirstClick(truths[b], rng) : null;
            clicks.Add(first is { } c ? [c] : []);
        }
        var needCorrections = Enumerable.Range(0, batch).Where(b => wanted[b] > 1 && clicks[b].Count == 1).ToList();
        if (needCorrections.Count == 0) return clicks;

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = stack(needCorrections.Select(b => ModelInput.Build(images[b], clicks[b], classes)).ToArray());
        var predictions = network.forward(input).argmax(1).to_type(ScalarType.Int32);
        for (int n = 0; n < needCorrections.Count; n++)
        {
            int b = needCorrections[n];
            var prediction = new LabelMap(truths[b].Width, truths[b].Height, predictions[n].data<int>().ToArray());
            var more = SimulatedUser.SampleCorrectionClicks(truths[b], prediction, wanted[b] - 1, rng);
            clicks[b] = [.. clicks[b], .. more];
        }
        return clicks;
    }

    /// <summary>Mean Dice of the first structure over clicks 1..N with the simulated user, on the validation images.</summary>
    double ValidationScore(InteractiveUNet network, IReadOnlyList<SliceSample> validation)
    {
        network.eval();
        var results = InteractiveEvaluator.Frozen(network, options.Task, validation, options.ValidationClicks);
        network.train();
        return results.Average(r => r.DicePerClick.Take(options.ValidationClicks).Average(d => d[0]));
    }

    sealed record StateCard(int Step, int BestStep, double BestScore, double Seconds);

    static void SaveState(string path, InteractiveUNet network, optim.Optimizer optimizer, int step, int bestStep, double bestScore, double seconds)
    {
        AtomicFile.WriteAllBytes(Path.Combine(path, "weights.safetensors"), Safetensors.Serialize(Checkpoint.StateEntries(network)));
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true)) ((TorchSharp.Modules.Adam)optimizer).save_state_dict(writer);
        AtomicFile.WriteAllBytes(Path.Combine(path, "optimizer.bin"), buffer.ToArray());
        AtomicFile.WriteAllText(Path.Combine(path, "state.json"), JsonSerializer.Serialize(new StateCard(step, bestStep, bestScore, seconds)));
    }

    static (int Step, int BestStep, double BestScore, double Seconds)? TryResume(string path, InteractiveUNet network, optim.Optimizer optimizer)
    {
        string statePath = Path.Combine(path, "state.json");
        if (!File.Exists(statePath)) return null;
        var state = JsonSerializer.Deserialize<StateCard>(File.ReadAllText(statePath))!;
        string weightsPath = Path.Combine(path, "weights.safetensors");
        Checkpoint.LoadState(network, Safetensors.Deserialize(File.ReadAllBytes(weightsPath), weightsPath).Entries, weightsPath);
        using var reader = new BinaryReader(File.OpenRead(Path.Combine(path, "optimizer.bin")));
        ((TorchSharp.Modules.Adam)optimizer).load_state_dict(reader);
        return (state.Step, state.BestStep, state.BestScore, state.Seconds);
    }
}
