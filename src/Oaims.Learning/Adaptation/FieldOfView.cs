using Oaims.Interaction;
using Oaims.Learning.Data;

namespace Oaims.Learning.Adaptation;

/// <summary>
/// The square of an image the model works on once the first click sets it: a window of <c>side</c> native pixels centred
/// on that click (moved inside the image at its edges). A structure much smaller in the image than in the training
/// data (a whole fundus frame from another camera, against disc-centred crops) is then seen at the training scale.
/// Outside the window the mask is background.
/// </summary>
public sealed record FieldOfView(int X, int Y, int Width, int Height)
{
    /// <summary>The window of <paramref name="side"/> pixels around <paramref name="click"/>, or null when the image fits in it.</summary>
    public static FieldOfView? Around(Click click, int side, int imageWidth, int imageHeight)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(side);
        if (side == 0 || (imageWidth <= side && imageHeight <= side)) return null;
        int width = Math.Min(side, imageWidth), height = Math.Min(side, imageHeight);
        return new FieldOfView(Math.Clamp(click.X - width / 2, 0, imageWidth - width), Math.Clamp(click.Y - height / 2, 0, imageHeight - height), width, height);
    }

    public bool Contains(Click click) => click.X >= X && click.X < X + Width && click.Y >= Y && click.Y < Y + Height;

    /// <summary>The click in the window's pixels.</summary>
    public Click Inside(Click click) => click with { X = click.X - X, Y = click.Y - Y };

    /// <summary>The window of an image (its channels and truth).</summary>
    public SliceSample Crop(SliceSample sample)
    {
        var image = new float[sample.Channels * Width * Height];
        for (int c = 0; c < sample.Channels; c++)
            for (int y = 0; y < Height; y++)
                sample.Image.AsSpan(c * sample.Width * sample.Height + (Y + y) * sample.Width + X, Width).CopyTo(image.AsSpan((c * Height + y) * Width, Width));
        return sample with { Image = image, Width = Width, Height = Height, Truth = sample.Truth is { } truth ? Crop(truth) : null };
    }

    public LabelMap Crop(LabelMap map)
    {
        var window = new LabelMap(Width, Height);
        for (int y = 0; y < Height; y++) map.Labels.AsSpan((Y + y) * map.Width + X, Width).CopyTo(window.Labels.AsSpan(y * Width, Width));
        return window;
    }

    /// <summary>A window's labels in the whole image, background outside the window.</summary>
    public LabelMap Paste(LabelMap window, int imageWidth, int imageHeight)
    {
        var map = new LabelMap(imageWidth, imageHeight);
        for (int y = 0; y < Height; y++) window.Labels.AsSpan(y * Width, Width).CopyTo(map.Labels.AsSpan((Y + y) * imageWidth + X, Width));
        return map;
    }
}
