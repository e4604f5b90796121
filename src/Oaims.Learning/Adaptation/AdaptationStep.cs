using Oaims.Interaction;
using Oaims.Learning.Inference;

namespace Oaims.Learning.Adaptation;

/// <summary>One adaptation update as the user sees it: which, its loss, how long it took, the model version after it.</summary>
/// <param name="Index">0-based index of the step within its click or commit.</param>
/// <param name="Kind">mi, pi-stage1, pi-stage2, pi-proposal, ia-sa, tsca, tent.</param>
/// <param name="Applied">False when the guard undid the step (loss or weights not finite).</param>
public sealed record AdaptationStep(int Index, string Kind, double Loss, double Milliseconds, long Version, bool Applied);

/// <summary>What a strategy sees when the user has just added a click (the first mask, from the model before any update, is already shown).</summary>
/// <param name="LogitsWithNewClick">Model-space logits of that first mask (all clicks, no graph), owned by the caller; null when not computed.</param>
public sealed record ClickContext(OnlineLearner Learner, Predictor Predictor, IReadOnlyList<Click> Clicks, Action<AdaptationStep>? Report,
                                  TorchSharp.torch.Tensor? LogitsWithNewClick = null)
{
    public Click NewClick => Clicks[^1];
    public IReadOnlyList<Click> PreviousClicks => Clicks.Take(Clicks.Count - 1).ToList();
}

/// <summary>What a strategy sees when the user accepts an image's mask.</summary>
public sealed record ImageContext(OnlineLearner Learner, Predictor Predictor, IReadOnlyList<Click> Clicks, LabelMap FinalMask, Action<AdaptationStep>? Report);
