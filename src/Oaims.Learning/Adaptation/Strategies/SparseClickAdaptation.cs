using Oaims.Interaction;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Oaims.Learning.Adaptation.Strategies;

/// <summary>
/// IA+SA baseline (Kontogianni et al., ECCV 2020): after each click, one step of cross-entropy at the
/// clicked pixels only (all clicks of the image so far, as sparse labels) on the prediction made with
/// them; the weights carry over from image to image (sequence adaptation).
/// </summary>
public sealed class SparseClickAdaptation : IAdaptationStrategy
{
    public string Name => "ia-sa";

    public void AfterClick(ClickContext context)
    {
        var predictor = context.Predictor;
        var modelClicks = predictor.Fitting.Clicks(context.Clicks);
        if (modelClicks.Count == 0) return;
        context.Learner.Step(Name, 0, () => SparseCrossEntropy(predictor.Logits(context.Clicks, withGradient: true), modelClicks), context.Report);
    }

    public void AfterImage(ImageContext context) { }

    /// <summary>Mean cross-entropy of (1, K, S, S) logits at the click pixels against the clicks' classes.</summary>
    public static Tensor SparseCrossEntropy(Tensor logits, IReadOnlyList<Click> modelClicks)
    {
        using var scope = NewDisposeScope();
        var ys = tensor(modelClicks.Select(c => (long)c.Y).ToArray(), device: logits.device);
        var xs = tensor(modelClicks.Select(c => (long)c.X).ToArray(), device: logits.device);
        var atClicks = logits[0].index([TensorIndex.Colon, TensorIndex.Tensor(ys), TensorIndex.Tensor(xs)]).t(); // (N, K)
        var classes = tensor(modelClicks.Select(c => (long)c.Class).ToArray(), device: logits.device);
        return F.cross_entropy(atClicks, classes).MoveToOuterDisposeScope();
    }
}
