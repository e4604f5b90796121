using Oaims.Imaging;
using Oaims.Service.Workspaces;

namespace Oaims.Service.Datastore;

/// <summary>
/// Which image to label next: puts the free unlabelled images in the order they should be handed out. The caller leases
/// the first one still free, so two users asking at once never get the same image.
/// </summary>
public interface INextImageStrategy
{
    string Name { get; }

    /// <param name="read">Reads an image's voxels (for strategies that look at them).</param>
    Task<IReadOnlyList<DatastoreImage>> OrderAsync(IReadOnlyList<DatastoreImage> candidates, Workspace workspace, Func<DatastoreImage, Volume> read, CancellationToken cancellation);
}

/// <summary>The strategies by name, as MONAI Label's /activelearning/{strategy} and NextImage name them.</summary>
public static class NextImageStrategies
{
    public static IReadOnlyList<INextImageStrategy> All { get; } = [new FirstUnlabelled(), new RandomUnlabelled(), new LeastConfidentFirst()];

    public static IReadOnlyList<string> Names { get; } = All.Select(s => s.Name).ToList();

    /// <summary>The strategy of this name (case-insensitive; empty means "first").</summary>
    public static INextImageStrategy Named(string? name) =>
        string.IsNullOrEmpty(name) ? All[0]
        : All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase))
          ?? throw new ArgumentException($"Unknown next-image strategy {UserInput.Quote(name)}: use one of {string.Join(", ", Names)}.");
}
