using Oaims.Imaging;
using Oaims.Learning.Inference;
using Oaims.Service.Workspaces;

namespace Oaims.Service.Datastore;

/// <summary>
/// "least-confident": the image whose click-free proposal the workspace's current, adapted model is least sure of
/// (<see cref="ProposalConfidence"/>) first. Only the first <see cref="MaxScored"/> candidates by id are scored, so one
/// request cannot hold a workspace's worker for a whole cohort; each image is scored as one job, so clicks of other users
/// run in between.
/// </summary>
public sealed class LeastConfidentFirst : INextImageStrategy
{
    public const int MaxScored = 16;

    public string Name => "least-confident";

    public async Task<IReadOnlyList<DatastoreImage>> OrderAsync(IReadOnlyList<DatastoreImage> candidates, Workspace workspace, Func<DatastoreImage, Volume> read, CancellationToken cancellation)
    {
        var scored = new List<(DatastoreImage Image, double Confidence)>();
        foreach (var image in candidates.OrderBy(c => c.Id, StringComparer.Ordinal).Take(MaxScored))
        {
            var volume = read(image);
            scored.Add((image, (await workspace.Run(learner => ProposalConfidence.Of(learner, volume), cancellation)).Value));
        }
        return scored.OrderBy(s => s.Confidence).ThenBy(s => s.Image.Id, StringComparer.Ordinal).Select(s => s.Image).ToList();
    }
}
