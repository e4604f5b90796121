using Oaims.Interaction;
using Oaims.Learning.Losses;
using static TorchSharp.torch;

namespace Oaims.Learning.Adaptation.Strategies;

/// <summary>
/// Post-interaction adaptation (PI, method.md): the accepted mask is the pseudo-label. Stage 1 predicts
/// from the first click alone and takes one step towards the mask; stage 2 places up to 10 synthetic
/// correction clicks in stage 1's errors (largest first), predicts with them and takes one more step.
/// By default the user's own later clicks are not reused; <see cref="AdaptationSettings.RealClicksInStage2"/> puts
/// them before the synthetic corrections, so that stage 2 also teaches the model to follow clicks like the user's.
/// <see cref="AdaptationSettings.ProposalStep"/> adds a third step from no clicks at all, the input of a click-free
/// proposal (pre-labelling, the first mask of a propagated slice), which neither stage trains.
/// </summary>
public sealed class PostInteractionAdaptation : IAdaptationStrategy
{
    public const int MaxSyntheticClicks = 10;

    public string Name => "pi";

    public void AfterClick(ClickContext context) { }

    public void AfterImage(ImageContext context)
    {
        var predictor = context.Predictor;
        var mask = context.FinalMask;
        var first = context.Clicks.Count > 0 ? context.Clicks[0] : SimulatedUser.FirstClick(mask);
        if (first is not { } firstClick) return; // nothing to learn from an empty mask without clicks
        using var target = predictor.Fitting.Labels(mask, predictor.Device).unsqueeze(0);
        ClickStages(context, target, firstClick);
        if (context.Learner.Settings.ProposalStep)
            context.Learner.Step("pi-proposal", 2, () => DiceFocalLoss.Compute(predictor.Logits([], withGradient: true), target), context.Report);
    }

    static void ClickStages(ImageContext context, Tensor target, Click firstClick)
    {
        var predictor = context.Predictor;
        var mask = context.FinalMask;

        LabelMap? stage1Prediction = null;
        IReadOnlyList<Click> stage1Clicks = [firstClick];
        context.Learner.Step("pi-stage1", 0, () =>
        {
            var logits = predictor.Logits(stage1Clicks, withGradient: true);
            stage1Prediction = predictor.ToLabels(logits);
            return Loss(logits, target, predictor.Fitting.Clicks(stage1Clicks));
        }, context.Report);
        if (stage1Prediction is null) return;

        var corrections = SimulatedUser.CorrectionClicks(mask, stage1Prediction, MaxSyntheticClicks);
        if (corrections.Count == 0) return; // stage 1 already reproduces the mask
        IReadOnlyList<Click> stage2Clicks = context.Learner.Settings.RealClicksInStage2 && context.Clicks.Count > 0
            ? [.. context.Clicks, .. corrections]
            : [firstClick, .. corrections];
        context.Learner.Step("pi-stage2", 1, () =>
        {
            var logits = predictor.Logits(stage2Clicks, withGradient: true);
            return Loss(logits, target, predictor.Fitting.Clicks(stage2Clicks));
        }, context.Report);
    }

    static Tensor Loss(Tensor logits, Tensor target, IReadOnlyList<Click> modelClicks) =>
        DiceFocalLoss.Compute(logits, target)
        + ClickCentredGaussianLoss.Weighted(logits, target, [modelClicks]);
}
