namespace Oaims.Service.Datastore;

/// <summary>
/// Which session holds which datastore image: one image to one session at a time. A lease lasts as long as its session
/// is open, so a session that expires or closes returns its image to the pool without anyone releasing it. A lease taken
/// for a session still being opened holds until <see cref="Bind"/> or <see cref="Release"/>.
/// </summary>
public sealed class ImageLeases(Func<string, bool> sessionIsOpen)
{
    readonly object _gate = new();
    readonly Dictionary<string, (string SessionId, bool Opening)> _byImage = new(StringComparer.Ordinal);

    /// <summary>The session holding the image, or null when it is free.</summary>
    public string? Holder(string imageId)
    {
        lock (_gate) return HolderLocked(imageId);
    }

    /// <summary>Leases the first free image of <paramref name="candidates"/> to a session about to be opened; null when all are held.</summary>
    public string? TakeFirstFree(IEnumerable<string> candidates, string sessionId)
    {
        lock (_gate)
        {
            foreach (string imageId in candidates)
                if (HolderLocked(imageId) is null)
                {
                    _byImage[imageId] = (sessionId, true);
                    return imageId;
                }
            return null;
        }
    }

    /// <summary>The session is open: from now on the lease lasts as long as it does.</summary>
    public void Bind(string imageId, string sessionId)
    {
        lock (_gate)
            if (_byImage.TryGetValue(imageId, out var lease) && lease.SessionId == sessionId) _byImage[imageId] = (sessionId, false);
    }

    /// <summary>Gives the image back (its session could not be opened, or was committed).</summary>
    public void Release(string imageId, string sessionId)
    {
        lock (_gate)
            if (_byImage.TryGetValue(imageId, out var lease) && lease.SessionId == sessionId) _byImage.Remove(imageId);
    }

    /// <summary>The datastore image a session holds, or null when it holds none.</summary>
    public string? ImageOf(string sessionId)
    {
        lock (_gate) return _byImage.FirstOrDefault(e => e.Value.SessionId == sessionId && (e.Value.Opening || sessionIsOpen(sessionId))).Key;
    }

    string? HolderLocked(string imageId)
    {
        if (!_byImage.TryGetValue(imageId, out var lease)) return null;
        if (lease.Opening || sessionIsOpen(lease.SessionId)) return lease.SessionId;
        _byImage.Remove(imageId); // its session expired or was closed
        return null;
    }
}
