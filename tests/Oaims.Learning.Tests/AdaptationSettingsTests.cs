using Oaims.Interaction;
using Oaims.Learning.Adaptation;
using Oaims.Learning.Evaluation;
using Oaims.Learning.Inference;
using Oaims.Learning.Losses;
using static TorchSharp.torch;

namespace Oaims.Learning.Tests;

public class AdaptationSettingsTests
{
    [Fact]
    public void VariantTextReadsBackToTheSameSettings()
    {
        var settings = AdaptationSettings.Parse("mi-decay=off, l2sp=0.5,anchors=newest,stage2=real,ewc=2,adam-eps=1e-4,proposal");
        Assert.Equal(new AdaptationSettings(AnchorAllClicks: false, RealClicksInStage2: true, SourceAnchor: 0.5, MiRateDecay: false, Consolidation: 2, AdamEpsilon: 1e-4, ProposalStep: true), settings);
        Assert.Equal(settings, AdaptationSettings.Parse(settings.ToString()));
        Assert.Equal("mi-decay=off", AdaptationSettings.Parse("mi-decay=off").ToString());
        Assert.Equal(AdaptationSettings.Default, AdaptationSettings.Parse("default"));
        Assert.Equal(AdaptationSettings.Default, AdaptationSettings.Parse(null));
        Assert.Equal(AdaptationSettings.Default, AdaptationSettings.Parse("anchors=all,mi-decay,proposal=off")); // the measured defaults
    }

    [Theory]
    [InlineData("anchors=some")]
    [InlineData("l2sp=-1")]
    [InlineData("l2sp=NaN")]
    [InlineData("ewc=-0.5")]
    [InlineData("adam-eps=0")]
    [InlineData("mi-decay=sometimes")]
    [InlineData("proposal=maybe")]
    [InlineData("warp-speed")]
    public void UnknownOrInvalidVariantsAreRefusedWithTheListOfKnownOnes(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => AdaptationSettings.Parse(text));
        Assert.Contains("anchors=all|newest", error.Message);
    }

    // The distance of the learner's weights from the source after one PI commit on a phantom, each weight's squared
    // change weighted by `weighting` (all ones when null).
    static double DistanceFromSourceAfterOneCommit(AdaptationSettings settings, IReadOnlyList<Tensor>? importance = null, IReadOnlyList<Tensor>? weighting = null)
    {
        var (network, card) = TinyModels.Create();
        using var learner = new OnlineLearner(network, card, "pi", learningRate: 1e-2, settings: settings, sourceImportance: importance);
        var before = learner.Network.parameters().Select(p => p.detach().clone()).ToList();
        var sample = TinyModels.Phantom();
        using (var interaction = new SliceInteraction(learner, sample))
        {
            interaction.AddClick(SimulatedUser.FirstClick(sample.Truth!)!.Value);
            interaction.Commit(sample.Truth);
        }
        return learner.Network.parameters().Zip(before).Select((pair, i) => (weighting is null ? 1 : weighting[i]) * (pair.First - pair.Second).square())
            .Sum(change => change.sum().item<float>());
    }

    [Fact]
    public void TheProposalStepTrainsTheClickFreeOutputTowardsTheAcceptedMask()
    {
        // The click-free proposal's loss against the phantom's mask after three PI commits, with and without the proposal step.
        // On a phantom the clicked stages already move the click-free output most of the way, so the margin is small.
        static double ProposalLossAfterCommits(AdaptationSettings settings, out IReadOnlyList<string> kinds)
        {
            var (network, card) = TinyModels.Create();
            using var learner = new OnlineLearner(network, card, "pi", learningRate: 1e-2, settings: settings);
            var sample = TinyModels.Phantom();
            kinds = [];
            for (int image = 0; image < 3; image++)
            {
                using var interaction = new SliceInteraction(learner, sample);
                interaction.AddClick(SimulatedUser.FirstClick(sample.Truth!)!.Value);
                kinds = interaction.Commit(sample.Truth).Select(s => s.Kind).ToList();
            }
            var predictor = new Predictor(learner.Network, card.ToTask(), sample);
            using var logits = predictor.Logits([]);
            using var target = predictor.Fitting.Labels(sample.Truth!, predictor.Device).unsqueeze(0);
            using var loss = DiceFocalLoss.Compute(logits, target);
            return loss.item<float>();
        }

        double without = ProposalLossAfterCommits(AdaptationSettings.Default, out var kindsWithout);
        double with = ProposalLossAfterCommits(AdaptationSettings.Default with { ProposalStep = true }, out var kindsWith);

        Assert.Equal(["pi-stage1", "pi-stage2"], kindsWithout);
        Assert.Equal(["pi-stage1", "pi-stage2", "pi-proposal"], kindsWith);
        Assert.True(with < without, $"The proposal step should lower the click-free loss: {with:F4} with it, {without:F4} without.");
    }

    [Fact]
    public void ConsolidationKeepsTheWeightsThatMatterOnTheSourceNearerIt()
    {
        var (network, card) = TinyModels.Create();
        var importance = SourceImportance.Compute(network, card.ToTask(), [TinyModels.Phantom(1), TinyModels.Phantom(2)]);
        Assert.Equal(1.0, importance.Sum(t => t.sum().item<float>()) / importance.Sum(t => t.numel()), precision: 3); // scaled to mean 1

        double free = DistanceFromSourceAfterOneCommit(AdaptationSettings.Default, weighting: importance);
        double consolidated = DistanceFromSourceAfterOneCommit(new AdaptationSettings(Consolidation: 1e4), importance, weighting: importance);
        Assert.True(consolidated < free, $"consolidation should keep the important weights nearer the source: {consolidated} vs {free}");
    }

    [Fact]
    public void ConsolidationWithoutTheSourceImportanceIsRefused()
    {
        var (network, card) = TinyModels.Create();
        var error = Assert.Throws<ArgumentException>(() => new OnlineLearner(network, card, "pi+mi", settings: new AdaptationSettings(Consolidation: 1)));
        Assert.Contains(SourceImportance.FileName, error.Message);
    }

    [Fact]
    public void SourceImportanceIsStoredBesideTheWeightsAndReadBack()
    {
        var (network, card) = TinyModels.Create();
        string folder = Directory.CreateTempSubdirectory("oaims-importance-").FullName;
        try
        {
            Checkpoints.Checkpoint.Save(folder, network, card);
            Assert.Null(SourceImportance.Load(folder, network));
            var importance = SourceImportance.Compute(network, card.ToTask(), [TinyModels.Phantom(1)]);
            SourceImportance.Save(folder, network, importance);
            var read = SourceImportance.Load(folder, network)!;
            Assert.All(importance.Zip(read), pair => Assert.True(pair.First.allclose(pair.Second, rtol: 0, atol: 0)));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void ASourceAnchorKeepsTheWeightsNearerTheSource()
    {
        // Adam's first steps move every weight by about the rate whatever the gradient's size, so the anchor shows from
        // stage 2 on: its pull towards the source (here the only weights it has moved from are stage 1's) lowers the drift.
        double free = DistanceFromSourceAfterOneCommit(AdaptationSettings.Default);
        double anchored = DistanceFromSourceAfterOneCommit(new AdaptationSettings(SourceAnchor: 1e4));
        Assert.True(anchored < free, $"an anchored commit should drift less from the source: {anchored} vs {free}");
    }

    [Theory]
    [InlineData("ia-sa")]
    [InlineData("tsca")]
    [InlineData("tent")]
    public void BaselinesRunAsPublishedAndRefuseTheMethodsVariants(string baseline)
    {
        var (network, card) = TinyModels.Create();
        using (var learner = new OnlineLearner(network, card, baseline, settings: AdaptationSettings.Default))
            Assert.Equal(AdaptationSettings.Baselines, learner.Settings);
        var (other, otherCard) = TinyModels.Create();
        var error = Assert.Throws<ArgumentException>(() => new OnlineLearner(other, otherCard, baseline, settings: new AdaptationSettings(SourceAnchor: 10)));
        Assert.Contains("choices inside MI and PI", error.Message);
    }

    [Fact]
    public void ALargerAdamEpsilonDampsTheStepsOfWeightsWithSmallGradients()
    {
        // At Adam's usual epsilon a first step moves a weight by about the rate whatever its gradient; an epsilon far above
        // the gradients turns the step into a small gradient step.
        double usual = DistanceFromSourceAfterOneCommit(AdaptationSettings.Default);
        double damped = DistanceFromSourceAfterOneCommit(new AdaptationSettings(AdamEpsilon: 10));
        Assert.True(damped < usual / 100, $"an epsilon of 10 should nearly stop the drift: {damped} vs {usual}");
    }

    [Fact]
    public void MiRateDecayMakesLaterClicksMoveTheWeightsLess()
    {
        double Drift(AdaptationSettings settings)
        {
            var (network, card) = TinyModels.Create();
            using var learner = new OnlineLearner(network, card, "mi", learningRate: 1e-2, settings: settings);
            var sample = TinyModels.Phantom();
            using var interaction = new SliceInteraction(learner, sample);
            var first = SimulatedUser.FirstClick(sample.Truth!)!.Value;
            interaction.AddClick(first);
            interaction.AddClick(new Click(first.X, first.Y + 1, first.Class));
            var before = learner.Network.parameters().Select(p => p.detach().clone()).ToList();
            interaction.AddClick(new Click(first.X + 1, first.Y, first.Class)); // the 3rd click: half the rate with the decay
            return learner.Network.parameters().Zip(before).Sum(pair => (pair.First - pair.Second).abs().sum().item<float>());
        }
        double constant = Drift(AdaptationSettings.Parse("mi-decay=off")), decayed = Drift(AdaptationSettings.Default); // the decay is the default
        Assert.InRange(decayed / constant, 0.3, 0.7);
    }

    [Fact]
    public void DiscOnlyDataShowTheUserRimAndCupAsOneDisc()
    {
        var prediction = new LabelMap(3, 1, [0, 1, 2]);
        var seen = ScoredStructures.DiscOnly.SeenByUser(prediction);
        Assert.Equal([0, 1, 1], seen.Labels);
        Assert.Equal(["disc"], ScoredStructures.DiscOnly.Structures.Select(s => s.Name));
        // A cup predicted inside an annotated disc is no error the simulated user would click on.
        var truth = new LabelMap(3, 1, [0, 1, 1]);
        Assert.Null(SimulatedUser.NextClick(truth, seen));
    }
}
