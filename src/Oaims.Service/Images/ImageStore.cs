using Oaims.Imaging;

namespace Oaims.Service.Images;

/// <summary>An uploaded image, addressed by its content fingerprint.</summary>
public sealed record StoredImage(string Id, Volume Volume, string? Name, long PayloadBytes)
{
    public long MemoryBytes => Volume.VoxelCount * Volume.ChannelCount * sizeof(float);
}

/// <summary>
/// The images uploaded to this server, by fingerprint, within a memory budget: the least recently used go first.
/// A session keeps its own reference, so evicting an image never breaks an open session (only new sessions need a re-upload).
/// </summary>
public sealed class ImageStore(long capacityBytes)
{
    readonly object _gate = new();
    readonly Dictionary<string, (StoredImage Image, long LastUsed)> _images = new(StringComparer.Ordinal);
    long _clock, _bytes;

    /// <summary>The image with this id, or null when none is stored; an id that is not 64 lowercase hex digits is refused.</summary>
    public StoredImage? Find(string id)
    {
        if (!ImageFingerprint.IsWellFormed(id))
            throw new ArgumentException($"Image id {UserInput.Quote(id)} is malformed: image ids are content fingerprints, 64 lowercase hex digits.");
        lock (_gate)
        {
            if (!_images.TryGetValue(id, out var entry)) return null;
            _images[id] = (entry.Image, ++_clock);
            return entry.Image;
        }
    }

    public StoredImage Get(string id) =>
        Find(id) ?? throw new NotFoundException($"No image {UserInput.Quote(id)} on this server: upload it first (images are kept by content fingerprint, and the oldest are dropped when memory runs short).");

    /// <summary>Adds the image unless the same content is already here; returns the stored one and whether it was new.</summary>
    public (StoredImage Image, bool Added) Add(StoredImage image)
    {
        if (image.MemoryBytes > capacityBytes)
            throw new LimitExceededException($"The image needs {image.MemoryBytes} bytes of memory as float32; this server keeps at most {capacityBytes}.");
        lock (_gate)
        {
            if (_images.TryGetValue(image.Id, out var existing))
            {
                _images[image.Id] = (existing.Image, ++_clock);
                return (existing.Image, false);
            }
            while (_bytes + image.MemoryBytes > capacityBytes && _images.Count > 0)
            {
                var oldest = _images.MinBy(e => e.Value.LastUsed);
                _images.Remove(oldest.Key);
                _bytes -= oldest.Value.Image.MemoryBytes;
            }
            _images[image.Id] = (image, ++_clock);
            _bytes += image.MemoryBytes;
            return (image, true);
        }
    }

    public int Count { get { lock (_gate) return _images.Count; } }
}
