namespace Oaims.Learning.Adaptation.Strategies;

/// <summary>Runs one strategy's click updates and another's image updates (PI+MI: the method's best).</summary>
public sealed class CombinedAdaptation(string name, IAdaptationStrategy onClick, IAdaptationStrategy onImage) : IAdaptationStrategy
{
    public string Name => name;
    public void AfterClick(ClickContext context) => onClick.AfterClick(context);
    public void AfterImage(ImageContext context) => onImage.AfterImage(context);
}
