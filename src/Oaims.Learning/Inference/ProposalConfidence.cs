using Oaims.Imaging;
using Oaims.Learning.Adaptation;
using Oaims.Learning.Data;
using static TorchSharp.torch;

namespace Oaims.Learning.Inference;

/// <summary>
/// How sure the current (adapted) model is of its click-free proposal for a volume: the mean, over a few evenly spaced
/// slices along k, of each pixel's largest class probability. An image the model is least sure of is the one whose
/// label teaches it most, so the datastore's "least-confident" strategy hands it out first. Run on the workspace's worker.
/// </summary>
public static class ProposalConfidence
{
    /// <summary>Slices scored per volume: enough to see the volume, few enough that ranking a cohort stays quick.</summary>
    public const int SlicesScored = 5;

    public static double Of(OnlineLearner learner, Volume image)
    {
        var task = learner.Task;
        if (image.ChannelCount != task.ImageChannels)
            throw new ArgumentException($"The model expects {task.ImageChannels}-channel images but this one has {image.ChannelCount}.");
        var channels = image.Channels.Select(c => (float[])c.Clone()).ToArray();
        IntensityNormaliser.Apply(task.Normalisation, channels);
        int depth = image.Dims[2], count = Math.Min(SlicesScored, depth);
        var (w, h) = VolumeSlices.SliceShape(image.Dims, 2);
        double sum = 0;
        for (int n = 0; n < count; n++)
        {
            int k = (int)((n + 0.5) * depth / count);
            var planar = new float[channels.Length * w * h];
            for (int c = 0; c < channels.Length; c++)
                VolumeSlices.Extract(channels[c], image.Dims, 2, k).Pixels.CopyTo(planar, c * w * h);
            using var predictor = new Predictor(learner.Network, task, new SliceSample($"k{k}", planar, channels.Length, w, h, null));
            using var scope = NewDisposeScope();
            sum += predictor.Fitting.Logits(predictor.Logits([])).softmax(1).max(1).values.mean().item<float>();
        }
        return sum / count;
    }
}
