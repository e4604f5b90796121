using Oaims.Imaging;
using Oaims.Interaction;
using Oaims.Learning.Adaptation;
using Oaims.Learning.Evaluation;
using Oaims.Learning.Inference;

namespace Oaims.Learning.Sessions;

/// <summary>
/// Pre-labelling seeded by propagation (`oaims prelabel --propagate`): the click-free proposals find the slice where the
/// structure is largest; a synthetic click at the centre of its largest component and propagation from there label the
/// volume. Slices propagation does not reach stay background, which removes what the click-free model finds on slices
/// far from the structure.
/// </summary>
public static class PropagatedProposal
{
    public static byte[] Propose(OnlineLearner learner, VolumeProposer proposer, Volume image, Action<int>? slicesDone = null)
    {
        var clickFree = proposer.Propose(image, slicesDone);
        var shape = new VolumeShape(image.Dims[0], image.Dims[1], image.Dims[2]);
        if (VolumeProtocol.FirstClick(clickFree, shape) is not { } start) return clickFree; // no structure anywhere: all background
        using var session = new VolumeSession(learner, image);
        var outcome = session.AddClick(start);
        var (width, height) = VolumeSlices.SliceShape(image.Dims, VolumeProposer.SliceAxis);
        var startMask = LabelMap.FromBytes(width, height, VolumeSlices.ExtractValues(session.Labels, image.Dims, VolumeProposer.SliceAxis, outcome.Slice));
        if (PropagationSeeds.Area(startMask) >= PropagationSeeds.MinimumArea) session.Propagate(VolumeProposer.SliceAxis, outcome.Slice);
        return session.Labels;
    }
}
