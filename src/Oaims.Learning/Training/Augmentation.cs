using static TorchSharp.torch;

namespace Oaims.Learning.Training;

/// <summary>
/// Cheap training augmentation on fitted tensors: flips applied to image and labels together, and a
/// random per-channel intensity scale and shift. Nothing that imitates the target shift (no contrast
/// inversion): the source model must stay a source model, adaptation handles the shift.
/// </summary>
public static class Augmentation
{
    /// <summary>Returns augmented copies of image (C, S, S) and labels (S, S).</summary>
    public static (Tensor Image, Tensor Labels) Apply(Tensor image, Tensor labels, Random rng)
    {
        using var scope = NewDisposeScope();
        var x = image; var y = labels;
        if (rng.NextDouble() < 0.5) { x = x.flip(2); y = y.flip(1); }
        if (rng.NextDouble() < 0.5) { x = x.flip(1); y = y.flip(0); }
        long channels = x.shape[0];
        var scale = new float[channels]; var shift = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            scale[c] = (float)(0.85 + 0.3 * rng.NextDouble());
            shift[c] = (float)(0.2 * rng.NextDouble() - 0.1);
        }
        x = x * tensor(scale, [channels, 1, 1]) + tensor(shift, [channels, 1, 1]);
        return (x.MoveToOuterDisposeScope(), y.clone().MoveToOuterDisposeScope());
    }
}
