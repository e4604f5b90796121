namespace Oaims.Service.Rest;

/// <summary>
/// The OAIMS session behind each datastore image a MONAI Label viewer works on, with the click lists of the slice it
/// last sent (see <see cref="ClickListChange"/>). MONAI Label's protocol names images, not sessions; this table is the
/// only state the REST facade keeps, and the session it names holds the image's lease like any other.
/// </summary>
public sealed class RestSessions
{
    /// <summary>The session on an image, its workspace and target class, and the last request's slice and clicks.</summary>
    public sealed record Entry(string SessionId, string Workspace, int TargetClass, int? Slice, IReadOnlyList<ListedClick> Clicks);

    readonly object _gate = new();
    readonly Dictionary<string, Entry> _byImage = new(StringComparer.Ordinal);

    public Entry? Find(string imageId)
    {
        lock (_gate) return _byImage.GetValueOrDefault(imageId);
    }

    public void Set(string imageId, Entry entry)
    {
        lock (_gate) _byImage[imageId] = entry;
    }

    public void Remove(string imageId)
    {
        lock (_gate) _byImage.Remove(imageId);
    }
}
