using Oaims.Imaging;
using Oaims.Service.Workspaces;

namespace Oaims.Service.Datastore;

/// <summary>"first": the unlabelled images in the order of their ids (as MONAI Label's First strategy).</summary>
public sealed class FirstUnlabelled : INextImageStrategy
{
    public string Name => "first";

    public Task<IReadOnlyList<DatastoreImage>> OrderAsync(IReadOnlyList<DatastoreImage> candidates, Workspace workspace, Func<DatastoreImage, Volume> read, CancellationToken cancellation) =>
        Task.FromResult<IReadOnlyList<DatastoreImage>>(candidates.OrderBy(c => c.Id, StringComparer.Ordinal).ToList());
}
