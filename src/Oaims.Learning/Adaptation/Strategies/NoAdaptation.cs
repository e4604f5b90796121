namespace Oaims.Learning.Adaptation.Strategies;

/// <summary>The frozen model (ICNN): never updates.</summary>
public sealed class NoAdaptation : IAdaptationStrategy
{
    public string Name => "none";
    public void AfterClick(ClickContext context) { }
    public void AfterImage(ImageContext context) { }
}
