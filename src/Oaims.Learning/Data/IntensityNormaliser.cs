using Oaims.Imaging;

namespace Oaims.Learning.Data;

/// <summary>Applies a task's intensity normalisation to an image's voxels (in place).</summary>
public static class IntensityNormaliser
{
    /// <summary>A copy of the image as the model sees it: the task's normalisation applied to copies of its channels.</summary>
    /// <exception cref="ArgumentException">The image has another channel count than the task expects.</exception>
    public static Volume NormalisedCopy(Volume image, SegmentationTask task)
    {
        if (image.ChannelCount != task.ImageChannels)
            throw new ArgumentException($"The model expects {task.ImageChannels}-channel images but this one has {image.ChannelCount}.");
        var channels = image.Channels.Select(c => (float[])c.Clone()).ToArray();
        Apply(task.Normalisation, channels);
        return new Volume(image.Dims, channels, image.IjkToRas);
    }

    public static void Apply(IntensityNormalisation normalisation, float[][] channels)
    {
        switch (normalisation)
        {
            case IntensityNormalisation.Rgb127:
                foreach (var channel in channels)
                    for (int v = 0; v < channel.Length; v++) channel[v] = (channel[v] - 127.5f) / 127.5f;
                break;
            case IntensityNormalisation.ZScoreForeground:
                foreach (var channel in channels) ZScoreForeground(channel);
                break;
        }
    }

    // MRI volumes hold one constant (0, or the value left by an earlier normalisation) outside the head;
    // statistics over that constant would depend on the field of view, so they are taken over the rest.
    static void ZScoreForeground(float[] voxels)
    {
        float minimum = voxels.Min();
        double sum = 0, sumSquares = 0;
        long count = 0;
        foreach (float v in voxels)
        {
            if (v <= minimum) continue;
            sum += v; sumSquares += (double)v * v; count++;
        }
        if (count < 2) return;
        double mean = sum / count;
        double std = Math.Sqrt(Math.Max(sumSquares / count - mean * mean, 1e-12));
        for (int i = 0; i < voxels.Length; i++) voxels[i] = (float)((voxels[i] - mean) / std);
    }
}
