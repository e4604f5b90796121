using Oaims.Interaction;
using Oaims.Learning.Inference;
using Oaims.Learning.Losses;

namespace Oaims.Learning.Adaptation.Strategies;

/// <summary>
/// Mid-interaction adaptation (MI, method.md): when click t arrives, the prediction with all t clicks is the
/// pseudo-label; one Adam step on DiceFocal(P_{t-1}, P_t*) + 200 * CCG, where P_{t-1} is the prediction from the
/// earlier clicks. The first click brings no update (as in the reference code). CCG anchors every real click of the
/// image (the method: the new click only): anchored on the new click alone, the steps let the model drift from what
/// the earlier clicks said, and the tuning stream scored lower (<see cref="AdaptationSettings.AnchorAllClicks"/>).
/// </summary>
public sealed class MidInteractionAdaptation : IAdaptationStrategy
{
    public string Name => "mi";

    public void AfterClick(ClickContext context)
    {
        var predictor = context.Predictor;
        // From the second click on, as the reference code: before the first there is only the click-free proposal, and
        // teaching it the one-click answer made later clicks count for less in an exploration run (docs/architecture.md).
        if (context.Clicks.Count < 2) return;
        if (predictor.Fitting.Click(context.NewClick) is not { } newClick) return;
        var settings = context.Learner.Settings;
        IReadOnlyList<Click> anchors = settings.AnchorAllClicks ? predictor.Fitting.Clicks(context.Clicks) : [newClick];
        // The first mask's forward pass is the pseudo-label: reused when the caller kept it, computed otherwise.
        using var computed = context.LogitsWithNewClick is null ? predictor.Logits(context.Clicks) : null;
        using var pseudoLabel = Predictor.PseudoLabel(context.LogitsWithNewClick ?? computed!);
        var previousClicks = context.PreviousClicks;
        context.Learner.Step(Name, 0, () =>
        {
            var previous = predictor.Logits(previousClicks, withGradient: true);
            return DiceFocalLoss.Compute(previous, pseudoLabel)
                   + ClickCentredGaussianLoss.Weighted(previous, pseudoLabel, [anchors]);
        }, context.Report, settings.MiRateDecay ? 1.0 / (context.Clicks.Count - 1) : 1);
    }

    public void AfterImage(ImageContext context) { }
}
