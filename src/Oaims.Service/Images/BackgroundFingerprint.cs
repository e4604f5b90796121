namespace Oaims.Service.Images;

/// <summary>
/// An upload's fingerprint computed on a thread of its own, behind the bytes as they land. SHA-256 is the slowest step
/// of an upload (about 1.5 GB/s on one core, slower than a loopback socket), so hashing after the last byte, or on the
/// thread that receives the bytes, would add its whole time to every upload; behind the transfer it adds only its tail.
/// The bytes are read where they were copied (the image's own arrays), in order, once the receiver has published them.
/// </summary>
public sealed class BackgroundFingerprint : IDisposable
{
    /// <summary>The landed bytes from <paramref name="offset"/> on, ending at <paramref name="end"/> or sooner (e.g. at a channel's end).</summary>
    public delegate ReadOnlySpan<byte> LandedBytes(long offset, long end);

    // Hashed between looks at abandonment, so that disposing a cut-off upload never waits for a long hash.
    const int Piece = 1 << 20;
    readonly ImageFingerprint _fingerprint;
    readonly LandedBytes _bytes;
    readonly long _total;
    readonly SemaphoreSlim _arrived = new(0);
    readonly CancellationTokenSource _abandoned = new();
    readonly Task<string> _hashing;
    long _landed, _signalled;
    int _disposed;

    public BackgroundFingerprint(ImageDescription description, long total, LandedBytes bytes)
    {
        _fingerprint = new ImageFingerprint(description);
        _total = total;
        _bytes = bytes;
        // Its own thread, not the pool's: it blocks while it waits for bytes, and Finish blocks on it.
        _hashing = Task.Factory.StartNew(Hash, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Every byte before <paramref name="end"/> has landed and stays as it is.</summary>
    public void Landed(long end)
    {
        Volatile.Write(ref _landed, end);
        // Waking the hasher costs a context switch, so it is woken once per piece (gRPC chunks are 80 KiB) and at the end.
        if (end - _signalled >= Piece || end == _total)
        {
            _signalled = end;
            _arrived.Release();
        }
    }

    /// <summary>The fingerprint, once all the bytes have landed and been hashed.</summary>
    public string Finish() => _hashing.GetAwaiter().GetResult();

    string Hash()
    {
        long hashed = 0;
        while (hashed < _total)
        {
            _arrived.Wait(_abandoned.Token);
            long end = Volatile.Read(ref _landed);
            while (hashed < end)
            {
                _abandoned.Token.ThrowIfCancellationRequested();
                var piece = _bytes(hashed, Math.Min(end, hashed + Piece));
                _fingerprint.Append(piece);
                hashed += piece.Length;
            }
        }
        return _fingerprint.Finish();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _abandoned.Cancel();
        try { _hashing.Wait(); }
        catch (AggregateException) { } // cancelled (the upload was given up before its end), or a failure Finish has reported
        _fingerprint.Dispose();
        _arrived.Dispose();
        _abandoned.Dispose();
    }
}
