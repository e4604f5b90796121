namespace Oaims.Service.Images;

/// <summary>The uploads in progress, at most a configured number at once, so that slow or stalled clients cannot pile up.</summary>
public sealed class UploadSlots(int capacity)
{
    int _inUse;

    public int InUse => Volatile.Read(ref _inUse);

    /// <summary>Takes a slot for one upload until disposed; beyond the capacity: <see cref="LimitExceededException"/>.</summary>
    public IDisposable Take()
    {
        if (Interlocked.Increment(ref _inUse) > capacity)
        {
            Interlocked.Decrement(ref _inUse);
            throw new LimitExceededException($"The server is already receiving {capacity} uploads at once: try again when one has finished.");
        }
        return new Slot(this);
    }

    sealed class Slot(UploadSlots slots) : IDisposable
    {
        int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) Interlocked.Decrement(ref slots._inUse);
        }
    }
}
