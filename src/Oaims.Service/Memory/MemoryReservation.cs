namespace Oaims.Service.Memory;

/// <summary>Bytes held against the <see cref="MemoryBudget"/> by one thing (an image, an upload, a session, a workspace); disposing gives them back.</summary>
public sealed class MemoryReservation : IDisposable
{
    readonly MemoryBudget _budget;
    readonly MemoryUse _use;
    readonly string _what;
    long _bytes;

    internal MemoryReservation(MemoryBudget budget, long bytes, MemoryUse use, string what)
    {
        _budget = budget; _bytes = bytes; _use = use; _what = what;
    }

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Takes more bytes for the same thing (an upload's buffer as it grows); refused as a new reservation would be.</summary>
    public void Grow(long more)
    {
        _budget.Take(more, _use, _what);
        Interlocked.Add(ref _bytes, more);
    }

    public void Dispose()
    {
        long bytes = Interlocked.Exchange(ref _bytes, 0);
        if (bytes > 0) _budget.Give(bytes, _use);
    }
}
