using Oaims.Interaction;
using Oaims.Learning.Adaptation;
using Oaims.Learning.Inference;
using Oaims.Learning.Losses;
using static TorchSharp.torch;

namespace Oaims.Learning.Tests;

public class AdaptationTests
{
    // MI's CCG term: the prediction from the earlier clicks against the pseudo-label made with the new click.
    static double CcgAtClick(Predictor predictor, Tensor pseudoLabel, IReadOnlyList<Click> earlier, Click click)
    {
        using var logits = predictor.Logits(earlier);
        using var loss = ClickCentredGaussianLoss.Compute(logits, pseudoLabel, [[click]]);
        return loss.item<float>();
    }

    [Fact]
    public void OneMidInteractionStepLowersTheCcgLossAtTheClickedPoint()
    {
        var (network, card) = TinyModels.Create();
        using var learner = new OnlineLearner(network, card, "mi", learningRate: 1e-3);
        var sample = TinyModels.Phantom();
        var first = SimulatedUser.FirstClick(sample.Truth!)!.Value;
        using var predictor = new Predictor(learner.Network, learner.Task, sample);
        var steps = new List<AdaptationStep>();
        learner.Strategy.AfterClick(new ClickContext(learner, predictor, [first], steps.Add));
        Assert.Empty(steps); // MI starts at the second click
        var click = SimulatedUser.NextClick(sample.Truth!, predictor.Predict([first]))!.Value;

        using var pseudoLabel = Predictor.PseudoLabel(predictor.Logits([first, click]));
        double before = CcgAtClick(predictor, pseudoLabel, [first], click);
        learner.Strategy.AfterClick(new ClickContext(learner, predictor, [first, click], steps.Add));
        double after = CcgAtClick(predictor, pseudoLabel, [first], click);

        Assert.Single(steps);
        Assert.True(steps[0].Applied);
        Assert.Equal(1, learner.Version);
        Assert.True(after < before, $"CCG at the click should drop after one MI step: {before} -> {after}");
    }

    [Fact]
    public void AStepWithNonFiniteGradientsIsSkippedAndLeavesTheWeightsAsTheyWere()
    {
        var (network, card) = TinyModels.Create();
        using var learner = new OnlineLearner(network, card, "mi");
        string checksum = learner.WeightsChecksum();
        var firstWeight = learner.Network.parameters().First();

        // sqrt at 0 has an infinite derivative: the loss is finite (0), its gradient is not.
        var step = learner.Step("mi", 0, () => (firstWeight.sum() * zeros(1)).sqrt());

        Assert.False(step.Applied);
        Assert.Equal(0, learner.Version);
        Assert.Equal(checksum, learner.WeightsChecksum());
    }

    [Fact]
    public void AStepThatLeavesNonFiniteWeightsIsUndoneAndThePreviousWeightsRestored()
    {
        var (network, card) = TinyModels.Create();
        using var learner = new OnlineLearner(network, card, "mi", learningRate: double.PositiveInfinity);
        string checksum = learner.WeightsChecksum();
        var sample = TinyModels.Phantom();
        using var predictor = new Predictor(learner.Network, learner.Task, sample);

        // A finite loss with finite gradients, but an infinite learning rate turns the weights into Inf/NaN.
        var step = learner.Step("mi", 0, () => predictor.Logits([], withGradient: true).square().mean());

        Assert.False(step.Applied);
        Assert.Equal(0, learner.Version);
        Assert.Equal(checksum, learner.WeightsChecksum());
        Assert.All(learner.Network.parameters(), p => Assert.True(p.isfinite().all().item<bool>()));
    }

    [Fact]
    public void UndoRestoresTheMaskAndTheWeightsFromBeforeTheClick()
    {
        var (network, card) = TinyModels.Create();
        using var learner = new OnlineLearner(network, card, "pi+mi", learningRate: 1e-2);
        var sample = TinyModels.Phantom();
        using var interaction = new SliceInteraction(learner, sample);
        var first = SimulatedUser.FirstClick(sample.Truth!)!.Value;
        var afterFirst = interaction.AddClick(first).Mask.Labels.ToArray();
        string checksum = learner.WeightsChecksum();

        var second = SimulatedUser.NextClick(sample.Truth!, interaction.Mask!) ?? first;
        interaction.AddClick(second);
        Assert.NotEqual(checksum, learner.WeightsChecksum());

        Assert.Equal(UndoWeights.Restored, interaction.Undo().Weights);
        Assert.Equal(checksum, learner.WeightsChecksum());
        Assert.Equal(afterFirst, interaction.Mask!.Labels);
        Assert.Equal("undo", learner.History[^1].Kind);
    }

    [Fact]
    public void CommitRunsBothPostInteractionStagesAsNewVersions()
    {
        var (network, card) = TinyModels.Create();
        using var learner = new OnlineLearner(network, card, "pi");
        var sample = TinyModels.Phantom();
        using var interaction = new SliceInteraction(learner, sample);
        interaction.AddClick(SimulatedUser.FirstClick(sample.Truth!)!.Value);
        Assert.Equal(0, learner.Version); // PI alone never updates during clicks

        var steps = interaction.Commit(sample.Truth);

        Assert.Equal(["pi-stage1", "pi-stage2"], steps.Select(s => s.Kind));
        Assert.All(steps, s => Assert.True(s.Applied));
        Assert.Equal(2, learner.Version);
    }

    [Fact]
    public void ResetAndRollbackRestoreEarlierWeightsAsNewVersions()
    {
        var (network, card) = TinyModels.Create();
        using var learner = new OnlineLearner(network, card, "pi+mi", learningRate: 1e-2);
        string source = learner.WeightsChecksum();
        var sample = TinyModels.Phantom();
        using var interaction = new SliceInteraction(learner, sample);
        var first = SimulatedUser.FirstClick(sample.Truth!)!.Value;
        interaction.AddClick(first);
        interaction.AddClick(SimulatedUser.NextClick(sample.Truth!, interaction.Mask!) ?? first);
        long afterClick = learner.Version;
        string afterOne = learner.WeightsChecksum();
        interaction.Commit(sample.Truth);
        long afterCommit = learner.Version;
        Assert.True(afterCommit > afterClick && afterClick == 1);

        learner.RestoreVersion(afterClick);
        Assert.Equal(afterOne, learner.WeightsChecksum());
        Assert.Equal(afterCommit + 1, learner.Version);

        learner.ResetToSource();
        Assert.Equal(source, learner.WeightsChecksum());
        Assert.Equal(("reset", 0L), (learner.History[^1].Kind, learner.History[^1].RestoredFrom!.Value));
    }

    [Fact]
    public void RollbackToTheOldestKeptVersionRestoresItsWeightsAndAdamState()
    {
        var (network, card) = TinyModels.Create();
        using var learner = new OnlineLearner(network, card, "mi", learningRate: 1e-3, snapshotCapacity: 2);
        using var predictor = new Predictor(learner.Network, learner.Task, TinyModels.Phantom());
        Tensor Loss() => predictor.Logits([], withGradient: true).square().mean();
        var weightsAt = new Dictionary<long, float[]>();
        for (int i = 0; i < 4; i++)
        {
            Assert.True(learner.Step("mi", i, Loss).Applied);
            weightsAt[learner.Version] = FlatWeights(learner);
        }

        // Kept: versions 2 and 3 (capacity 2) besides the source; 2 is the oldest and must survive its own restore.
        learner.RestoreVersion(2);
        Assert.Equal(weightsAt[2], FlatWeights(learner));
        // With Adam's moments and step count back at version 2, the same update lands on version 3's weights.
        learner.Step("mi", 0, Loss);
        Assert.True(MaxDifference(weightsAt[3], FlatWeights(learner)) < 1e-6);
        Assert.Throws<ArgumentException>(() => learner.RestoreVersion(1));
    }

    [Fact]
    public void UndoSnapshotsNeverHoldMoreThanTheirByteBoundOverManyClicks()
    {
        var (network, card) = TinyModels.Create();
        long snapshot = 3 * network.parameters().Sum(p => p.NumberOfElements * p.ElementSize); // weights and Adam's two moments
        long bound = snapshot * 7 / 2;
        using var learner = new OnlineLearner(network, card, "mi", learningRate: 1e-3, snapshotCapacityBytes: bound);
        using var predictor = new Predictor(learner.Network, learner.Task, TinyModels.Phantom());
        Tensor Loss() => predictor.Logits([], withGradient: true).square().mean();
        for (int i = 0; i < 30; i++)
        {
            Assert.True(learner.Step("mi", i, Loss).Applied);
            Assert.True(learner.RecentSnapshotBytes <= bound, $"After step {i}: {learner.RecentSnapshotBytes} bytes of snapshots, bound {bound}");
        }
        Assert.Equal(3, learner.SnapshotsKept);
        Assert.Equal(3 * snapshot, learner.RecentSnapshotBytes);
        // The bound is what the workspace reserves: every kept snapshot, one more during an update, the source, the live state.
        Assert.True(learner.MemoryBytes >= 4 * snapshot / 3 + snapshot * (1 + 3 + 1));
        learner.RestoreVersion(learner.Version - 1, "undo"); // the last click can still be undone
        Assert.Throws<ArgumentException>(() => learner.RestoreVersion(learner.Version - 6));
    }

    [Fact]
    public void AtLeastTwoUndoSnapshotsAreKeptWhateverTheByteBound()
    {
        var (network, card) = TinyModels.Create();
        using var learner = new OnlineLearner(network, card, "mi", learningRate: 1e-3, snapshotCapacityBytes: 1);
        using var predictor = new Predictor(learner.Network, learner.Task, TinyModels.Phantom());
        for (int i = 0; i < 5; i++) learner.Step("mi", i, () => predictor.Logits([], withGradient: true).square().mean());
        Assert.Equal(2, learner.SnapshotsKept);
        learner.RestoreVersion(learner.Version - 2, "rollback");
    }

    static float[] FlatWeights(OnlineLearner learner) =>
        learner.Network.parameters().SelectMany(p => p.detach().cpu().contiguous().data<float>().ToArray()).ToArray();

    static double MaxDifference(float[] a, float[] b) => a.Zip(b, (x, y) => (double)Math.Abs(x - y)).Max();

    [Fact]
    public void SavedLearnerLoadsWithTheSameWeightsVersionAndHistory()
    {
        var (network, card) = TinyModels.Create();
        using var learner = new OnlineLearner(network, card, "pi+mi", learningRate: 1e-2);
        var sample = TinyModels.Phantom();
        using (var interaction = new SliceInteraction(learner, sample))
        {
            interaction.AddClick(SimulatedUser.FirstClick(sample.Truth!)!.Value);
            interaction.Commit(sample.Truth);
        }
        string folder = Path.Combine(Path.GetTempPath(), "oaims-learner-" + Guid.NewGuid().ToString("N"));
        try
        {
            learner.Save(folder);
            using var loaded = OnlineLearner.Load(folder);
            Assert.Equal(learner.WeightsChecksum(), loaded.WeightsChecksum());
            Assert.Equal(learner.Version, loaded.Version);
            Assert.Equal(learner.History.Select(h => h.Kind), loaded.History.Select(h => h.Kind));
            Assert.Equal("pi+mi", loaded.Strategy.Name);
            Assert.Empty(Directory.GetFiles(folder, "*.tmp", SearchOption.AllDirectories));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Theory]
    [InlineData("none")]
    [InlineData("mi")]
    [InlineData("pi")]
    [InlineData("pi+mi")]
    [InlineData("ia-sa")]
    [InlineData("tsca")]
    [InlineData("tent")]
    public void EveryStrategyRunsAClickAndACommitWithFiniteWeights(string strategy)
    {
        var (network, card) = TinyModels.Create();
        using var learner = new OnlineLearner(network, card, strategy);
        var sample = TinyModels.Phantom(seed: 3);
        using var interaction = new SliceInteraction(learner, sample);
        var first = SimulatedUser.FirstClick(sample.Truth!)!.Value;
        interaction.AddClick(first);
        interaction.AddClick(SimulatedUser.NextClick(sample.Truth!, interaction.Mask!) ?? first);
        interaction.Commit();
        Assert.Equal(strategy == "none", learner.Version == 0);
        Assert.All(learner.Network.parameters(), p => Assert.True(p.isfinite().all().item<bool>()));
    }

    [Fact]
    public void UnknownStrategyNamesAreRefusedWithTheListOfKnownOnes()
    {
        var error = Assert.Throws<ArgumentException>(() => AdaptationStrategies.Create("magic"));
        Assert.Contains("pi+mi", error.Message);
    }
}
