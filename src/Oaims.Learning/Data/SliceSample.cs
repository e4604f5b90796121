using Oaims.Interaction;

namespace Oaims.Learning.Data;

/// <summary>One 2D image to segment at its native size: normalised planar channels (C, H, W) and, where known, its labels.</summary>
public sealed record SliceSample(string Id, float[] Image, int Channels, int Width, int Height, LabelMap? Truth)
{
    public bool HasForeground => Truth is not null && Truth.Labels.Any(l => l != 0);
}
