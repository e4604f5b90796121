using Oaims.Imaging;
using Oaims.Service.Memory;

namespace Oaims.Service.Images;

/// <summary>An uploaded image, addressed by its content fingerprint.</summary>
public sealed record StoredImage(string Id, Volume Volume, string? Name, long PayloadBytes);

/// <summary>
/// The images uploaded to this server, by fingerprint. Each holds its bytes (float32 voxels and name) against the
/// memory budget, which evicts the least recently used to make room for anything else. A session keeps its own
/// copy of its image, so evicting an image never breaks an open session (only new sessions need a re-upload).
/// </summary>
public sealed class ImageStore : IEvictable
{
    readonly object _gate = new();
    readonly Dictionary<string, (StoredImage Image, MemoryReservation Memory, long LastUsed)> _images = new(StringComparer.Ordinal);
    long _clock;

    public ImageStore(MemoryBudget budget) => budget.EvictFrom(this);

    /// <summary>The image with this id, or null when none is stored; an id that is not 64 lowercase hex digits is refused.</summary>
    public StoredImage? Find(string id)
    {
        if (!ImageFingerprint.IsWellFormed(id))
            throw new ArgumentException($"Image id {UserInput.Quote(id)} is malformed: image ids are content fingerprints, 64 lowercase hex digits.");
        lock (_gate)
        {
            if (!_images.TryGetValue(id, out var entry)) return null;
            _images[id] = entry with { LastUsed = ++_clock };
            return entry.Image;
        }
    }

    public StoredImage Get(string id) =>
        Find(id) ?? throw new NotFoundException($"No image {UserInput.Quote(id)} on this server: upload it first (images are kept by content fingerprint, and the oldest are dropped when memory runs short).");

    /// <summary>
    /// Adds the image with the memory reserved for it, unless the same content is already here (then that reservation
    /// is given back); returns the stored one and whether it was new.
    /// </summary>
    public (StoredImage Image, bool Added) Add(StoredImage image, MemoryReservation memory)
    {
        lock (_gate)
        {
            if (_images.TryGetValue(image.Id, out var existing))
            {
                _images[image.Id] = existing with { LastUsed = ++_clock };
                memory.Dispose();
                return (existing.Image, false);
            }
            _images[image.Id] = (image, memory, ++_clock);
            return (image, true);
        }
    }

    public int Count { get { lock (_gate) return _images.Count; } }

    public long EvictableBytes { get { lock (_gate) return _images.Values.Sum(e => e.Memory.Bytes); } }

    public bool EvictOldest()
    {
        MemoryReservation memory;
        lock (_gate)
        {
            if (_images.Count == 0) return false;
            var oldest = _images.MinBy(e => e.Value.LastUsed);
            _images.Remove(oldest.Key);
            memory = oldest.Value.Memory;
        }
        memory.Dispose();
        return true;
    }
}
