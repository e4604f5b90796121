using Oaims.Interaction;
using Oaims.Learning.Adaptation;
using Oaims.Learning.Inference;

namespace Oaims.Learning.Tests;

/// <summary>Mask first, learning after: a click's first mask comes from the model before its update, the refined one after.</summary>
public class MaskFirstTests
{
    [Fact]
    public void The_first_mask_is_the_prediction_of_the_model_before_the_clicks_update_and_is_shown_before_any_step()
    {
        var (network, card) = TinyModels.Create();
        using var learner = new OnlineLearner(network, card, "mi", learningRate: 1e-2);
        var sample = TinyModels.Phantom();
        using var interaction = new SliceInteraction(learner, sample);
        var first = SimulatedUser.FirstClick(sample.Truth!)!.Value;
        interaction.AddClick(first);
        var second = SimulatedUser.NextClick(sample.Truth!, interaction.Mask!) ?? first;
        using var predictor = new Predictor(learner.Network, learner.Task, sample);
        var expectedFirst = predictor.Predict([first, second]).Labels.ToArray();

        var events = new List<string>();
        var outcome = interaction.AddClick(second, step => events.Add("step"), mask => events.Add("first mask"));

        Assert.Equal(["first mask", "step"], events);
        Assert.Equal(expectedFirst, outcome.FirstMask.Labels);
        Assert.True(outcome.Refined);
        Assert.Equal(predictor.Predict([first, second]).Labels, outcome.Mask.Labels); // the refined mask: the adapted model's
    }

    [Fact]
    public void A_click_that_changes_no_weights_has_no_refined_mask()
    {
        var (network, card) = TinyModels.Create();
        using var learner = new OnlineLearner(network, card, "mi");
        var sample = TinyModels.Phantom();
        using var interaction = new SliceInteraction(learner, sample);

        var outcome = interaction.AddClick(SimulatedUser.FirstClick(sample.Truth!)!.Value); // MI learns from the second click on

        Assert.False(outcome.Refined);
        Assert.Same(outcome.FirstMask, outcome.Mask);
    }

    [Fact]
    public void MI_with_the_first_masks_logits_takes_the_same_step_as_MI_computing_them_itself()
    {
        var sample = TinyModels.Phantom();
        var first = SimulatedUser.FirstClick(sample.Truth!)!.Value;
        string Adapt(bool reuse)
        {
            var (network, card) = TinyModels.Create();
            using var learner = new OnlineLearner(network, card, "mi", learningRate: 1e-2);
            using var predictor = new Predictor(learner.Network, learner.Task, sample);
            var second = SimulatedUser.NextClick(sample.Truth!, predictor.Predict([first])) ?? first;
            using var logits = predictor.Logits([first, second]);
            learner.Strategy.AfterClick(new ClickContext(learner, predictor, [first, second], null, reuse ? logits : null));
            return learner.WeightsChecksum();
        }
        Assert.Equal(Adapt(reuse: false), Adapt(reuse: true));
    }
}
