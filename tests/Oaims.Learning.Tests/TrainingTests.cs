using Oaims.Learning.Checkpoints;
using Oaims.Learning.Training;

namespace Oaims.Learning.Tests;

public sealed class TrainingTests : IDisposable
{
    readonly string _folder = Path.Combine(Path.GetTempPath(), "oaims-train-" + Guid.NewGuid().ToString("N"));

    public void Dispose() { if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true); }

    static TrainingOptions Options(int steps) => new()
    {
        Task = TinyModels.Task, Architecture = TinyModels.Config, Steps = steps, BatchSize = 4,
        LearningRate = 3e-3, ValidateEvery = 10, SaveStateEvery = 5, ValidationClicks = 2,
    };

    static ModelCard Describe(TrainingCard training) => TinyModels.Card(TinyModels.Config) with { Training = training };

    [Fact]
    public void TrainingOnPhantomsLowersTheLossAndWritesTheBestCheckpoint()
    {
        var train = Enumerable.Range(0, 6).Select(TinyModels.Phantom).ToList();
        var validation = new[] { TinyModels.Phantom(100) };
        var progress = new List<TrainingProgress>();
        var card = new SourceTrainer(Options(40)).Train(train, validation, _folder, Describe, progress.Add, "test");

        // Skipped (non-finite) steps report NaN; the trainer never applies them.
        var losses = progress.Select(p => p.Loss).Where(double.IsFinite).ToList();
        double early = losses.Take(8).Average(), late = losses.TakeLast(8).Average();
        Assert.True(late < early, $"Loss should fall: first steps {early:F3}, last steps {late:F3}.");
        Assert.Equal(40, card.Steps);
        Assert.InRange(card.BestStep, 10, 40);
        var (_, saved) = Checkpoint.Load(_folder);
        Assert.Equal(card.BestStep, saved.Training!.BestStep);
    }

    [Fact]
    public void AnInterruptedRunResumesFromItsSavedStep()
    {
        var train = Enumerable.Range(0, 4).Select(TinyModels.Phantom).ToList();
        var validation = new[] { TinyModels.Phantom(100) };
        new SourceTrainer(Options(10)).Train(train, validation, _folder, Describe, _ => { }, "test");

        var progress = new List<TrainingProgress>();
        var card = new SourceTrainer(Options(15)).Train(train, validation, _folder, Describe, progress.Add, "test");

        Assert.Equal("resumed at step 10", progress[0].Message);
        Assert.Equal(11, progress[1].Step);
        Assert.Equal(15, card.Steps);
    }

    [Fact]
    public void ARunStartedFromACheckpointBeginsWithItsWeightsNotTheSeededRandomOnes()
    {
        var train = Enumerable.Range(0, 4).Select(TinyModels.Phantom).ToList();
        var validation = new[] { TinyModels.Phantom(100) };
        string trained = Path.Combine(_folder, "trained"), started = Path.Combine(_folder, "started"), fresh = Path.Combine(_folder, "fresh");
        new SourceTrainer(Options(10)).Train(train, validation, trained, Describe, _ => { }, "test");

        // Zero steps: each run saves the weights it starts with.
        var progress = new List<TrainingProgress>();
        new SourceTrainer(Options(0) with { StartFrom = trained }).Train(train, validation, started, Describe, progress.Add, "test");
        new SourceTrainer(Options(0)).Train(train, validation, fresh, Describe, _ => { }, "test");

        Assert.Equal($"starting from the weights of {trained}", progress[0].Message);
        Assert.Equal(Weights(trained), Weights(started));
        Assert.NotEqual(Weights(trained), Weights(fresh));
    }

    static float[] Weights(string checkpoint)
    {
        var (network, _) = Checkpoint.Load(checkpoint);
        using (network) return Checkpoint.StateEntries(network).SelectMany(e => e.Data).ToArray();
    }
}
