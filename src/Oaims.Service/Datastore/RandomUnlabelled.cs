using Oaims.Imaging;
using Oaims.Service.Workspaces;

namespace Oaims.Service.Datastore;

/// <summary>"random": the unlabelled images in a random order.</summary>
public sealed class RandomUnlabelled : INextImageStrategy
{
    public string Name => "random";

    public Task<IReadOnlyList<DatastoreImage>> OrderAsync(IReadOnlyList<DatastoreImage> candidates, Workspace workspace, Func<DatastoreImage, Volume> read, CancellationToken cancellation)
    {
        var order = candidates.ToArray();
        Random.Shared.Shuffle(order);
        return Task.FromResult<IReadOnlyList<DatastoreImage>>(order);
    }
}
