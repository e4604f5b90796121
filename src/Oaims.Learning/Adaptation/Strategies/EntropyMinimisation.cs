using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Oaims.Learning.Adaptation.Strategies;

/// <summary>
/// Tent-style baseline (Wang et al., ICLR 2021): after each click, one step minimising the mean entropy of
/// the prediction; it ignores what the clicks say. Tent adapts only normalisation affine parameters, which
/// this network does not have (InstanceNorm without affine), so all weights adapt, at the tuned rate.
/// </summary>
public sealed class EntropyMinimisation : IAdaptationStrategy
{
    public string Name => "tent";

    public void AfterClick(ClickContext context)
    {
        var predictor = context.Predictor;
        context.Learner.Step(Name, 0, () =>
        {
            var logits = predictor.Logits(context.Clicks, withGradient: true);
            var logProbabilities = F.log_softmax(logits, 1);
            return -(logProbabilities.exp() * logProbabilities).sum(1).mean();
        }, context.Report);
    }

    public void AfterImage(ImageContext context) { }
}
