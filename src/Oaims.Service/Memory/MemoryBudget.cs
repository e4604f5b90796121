namespace Oaims.Service.Memory;

/// <summary>What a reservation holds memory for; the budget keeps a total per kind, for refusals and the log.</summary>
public enum MemoryUse { Images, Uploads, Sessions, Workspaces }

/// <summary>Holds memory it can give back on demand, least recently used first (the image store).</summary>
public interface IEvictable
{
    /// <summary>The bytes that evicting everything would give back.</summary>
    long EvictableBytes { get; }

    /// <summary>Evicts the least recently used entry; false when there is none.</summary>
    bool EvictOldest();
}

/// <summary>
/// The one memory budget of the sidecar: everything large it holds (stored images, uploads in progress, the copies of
/// open sessions, the workspaces' networks, optimizers and undo snapshots) reserves its bytes here before allocating
/// them, and gives them back when it goes. Stored images are evicted, least recently used first, to make room; when
/// nothing more can be evicted the request is refused (RESOURCE_EXHAUSTED), and a refused request evicts nothing.
/// </summary>
public sealed class MemoryBudget
{
    readonly object _gate = new();
    readonly long[] _used = new long[Enum.GetValues<MemoryUse>().Length];
    IEvictable? _evictable;

    public MemoryBudget(long capacityBytes)
    {
        if (capacityBytes < 1) throw new ArgumentException($"The memory budget must be positive, got {capacityBytes} bytes.");
        CapacityBytes = capacityBytes;
    }

    public long CapacityBytes { get; }

    public long UsedBytes { get { lock (_gate) return _used.Sum(); } }

    public long Used(MemoryUse use) { lock (_gate) return _used[(int)use]; }

    /// <summary>Names the store whose entries may be evicted to make room (one per budget: the sidecar's images).</summary>
    public void EvictFrom(IEvictable evictable) => _evictable = evictable;

    /// <summary>Reserves bytes for one thing, described in words for the refusal ("Session on image 3fa2..."); dispose to give them back.</summary>
    public MemoryReservation Reserve(long bytes, MemoryUse use, string what)
    {
        Take(bytes, use, what);
        return new MemoryReservation(this, bytes, use, what);
    }

    internal void Take(long bytes, MemoryUse use, string what)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (bytes > CapacityBytes)
            throw new LimitExceededException($"{what} needs {Size(bytes)} of memory, more than this server's whole memory budget of {Size(CapacityBytes)}.");
        while (true)
        {
            long shortfall;
            lock (_gate)
            {
                long used = _used.Sum();
                if (used + bytes <= CapacityBytes)
                {
                    _used[(int)use] += bytes;
                    return;
                }
                shortfall = used + bytes - CapacityBytes;
            }
            // Evicting runs outside the lock (the store gives its bytes back through Give). Evict only when evicting
            // can make enough room, so that a request refused anyway leaves every stored image in place.
            if (_evictable is not { } store || store.EvictableBytes < shortfall || !store.EvictOldest())
                throw new LimitExceededException(Refusal(bytes, what));
        }
    }

    internal void Give(long bytes, MemoryUse use)
    {
        lock (_gate) _used[(int)use] -= bytes;
    }

    string Refusal(long bytes, string what)
    {
        string held;
        long free;
        lock (_gate)
        {
            free = Math.Max(0, CapacityBytes - _used.Sum());
            held = string.Join(", ", Enum.GetValues<MemoryUse>().Select(u => $"{u.ToString().ToLowerInvariant()} {Size(_used[(int)u])}"));
        }
        return $"{what} needs {Size(bytes)} of memory, but only {Size(free)} of this server's {Size(CapacityBytes)} budget is free " +
               $"({held}; no stored image can be evicted to make enough room). Close sessions you no longer need, or try again later.";
    }

    /// <summary>Bytes as a person reads them: "12.5 MiB".</summary>
    public static string Size(long bytes) => bytes switch
    {
        < 1 << 10 => $"{bytes} B",
        < 1 << 20 => $"{bytes / 1024.0:F1} KiB",
        < 1L << 30 => $"{bytes / (1024.0 * 1024):F1} MiB",
        _ => $"{bytes / (1024.0 * 1024 * 1024):F2} GiB",
    };

    /// <summary>
    /// The default budget: half of the memory this process may use (the machine's, or the container's limit, as the
    /// GC sees it), at most 64 GiB. The other half is left to what is not charged: the runtime, LibTorch, activations.
    /// </summary>
    public static long DefaultBytes()
    {
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return Math.Clamp(available / 2, 256L << 20, 64L << 30);
    }
}
