using Oaims.Interaction;
using Oaims.Learning.Data;
using Oaims.Learning.Network;
using static TorchSharp.torch;

namespace Oaims.Learning.Inference;

/// <summary>
/// Clicks -> mask for one image: fits the image to the model once, then turns any list of native
/// clicks into the model's prediction at native resolution. Keeps the model-space logits of the
/// last prediction (with their graph when asked) for adaptation.
/// </summary>
public sealed class Predictor : IDisposable
{
    readonly InteractiveUNet _network;
    readonly Tensor _fittedImage;

    public SegmentationTask Task { get; }
    public SliceSample Sample { get; }
    public InputFitting Fitting { get; }
    public Device Device => _fittedImage.device;

    public Predictor(InteractiveUNet network, SegmentationTask task, SliceSample sample)
    {
        _network = network; Task = task; Sample = sample;
        Fitting = InputFitting.For(task, sample.Width, sample.Height);
        _fittedImage = Fitting.Image(sample.Image, sample.Channels, network.Device);
    }

    /// <summary>(1, C + K, S, S) network input for native clicks.</summary>
    public Tensor Input(IReadOnlyList<Click> nativeClicks) =>
        ModelInput.Build(_fittedImage, Fitting.Clicks(nativeClicks), Task.Classes).unsqueeze(0);

    /// <summary>Model-space logits (1, K, S, S); with <paramref name="withGradient"/> the graph is kept for a later update.</summary>
    public Tensor Logits(IReadOnlyList<Click> nativeClicks, bool withGradient = false)
    {
        using var scope = NewDisposeScope();
        using var grad = withGradient ? enable_grad() : no_grad();
        var logits = _network.forward(Input(nativeClicks));
        return logits.MoveToOuterDisposeScope();
    }

    /// <summary>The native-resolution label map for model-space logits.</summary>
    public LabelMap ToLabels(Tensor modelLogits)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var labels = Fitting.Logits(modelLogits.detach()).argmax(1).squeeze(0).to_type(ScalarType.Int32).cpu();
        return new LabelMap(Sample.Width, Sample.Height, labels.data<int>().ToArray());
    }

    /// <summary>The model's hard pseudo-label in model space (1, S, S) for given logits.</summary>
    public static Tensor PseudoLabel(Tensor modelLogits)
    {
        using var noGrad = no_grad();
        return modelLogits.detach().argmax(1);
    }

    public LabelMap Predict(IReadOnlyList<Click> nativeClicks)
    {
        using var logits = Logits(nativeClicks);
        return ToLabels(logits);
    }

    public void Dispose() => _fittedImage.Dispose();
}
