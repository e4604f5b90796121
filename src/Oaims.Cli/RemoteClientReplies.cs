using Oaims.Interaction;
using Oaims.Service.V1;

namespace Oaims.Cli;

/// <summary>What one click returned: the streamed steps, the last mask (refined when the weights changed; its delta alone is
/// right against the labels from before the click), the server's summary, the client-side round trip time, and the first mask with when it came.</summary>
public sealed record ClickReply(IReadOnlyList<AdaptationStep> Steps, MaskUpdate Mask, InteractSummary Summary, double ClientMilliseconds,
                                MaskUpdate FirstMask, double FirstMaskClientMilliseconds);

/// <summary>What a commit returned: the streamed post-interaction steps and the summary.</summary>
public sealed record CommitReply(IReadOnlyList<AdaptationStep> Steps, CommitSummary Summary);

/// <summary>The label volume as a client sees it: zeros at first, then every delta the server sent, applied in order.</summary>
public sealed class RemoteMask
{
    public RemoteMask(int[] dims)
    {
        if (dims.Length != 3) throw new InvalidDataException($"A mask has three dims, got {dims.Length}.");
        Dims = dims;
        Shape = new VolumeShape(dims[0], dims[1], dims[2]);
        Labels = new byte[Shape.VoxelCount];
    }

    public int[] Dims { get; }
    public VolumeShape Shape { get; }
    /// <summary>Labels, i fastest, then j, then k.</summary>
    public byte[] Labels { get; }

    public void Apply(Service.V1.MaskDelta delta) => Service.Grpc.Wire.FromWire(delta).ApplyTo<byte>(Labels, Shape);

    /// <summary>The labels of slice k (axis 2) as a 2D map, x = i, y = j.</summary>
    public LabelMap AxialSlice(int k) => LabelMap.FromBytes(Dims[0], Dims[1], Labels.AsSpan(k * Dims[0] * Dims[1], Dims[0] * Dims[1]));
}
