namespace Oaims.Learning.Adaptation;

/// <summary>
/// How a model learns online from one user's work: after each click (mid-interaction) and/or after each
/// accepted image (post-interaction). Each strategy is one small class; <see cref="AdaptationStrategies"/>
/// picks one by name. Strategies update weights only through <see cref="OnlineLearner.Step"/>, which
/// versions every update and undoes non-finite ones.
/// </summary>
public interface IAdaptationStrategy
{
    string Name { get; }

    void AfterClick(ClickContext context);

    void AfterImage(ImageContext context);
}
