using System.Collections.Concurrent;
using System.Diagnostics;

namespace Oaims.Service.Workspaces;

/// <summary>What a piece of work returned, and how long it waited for the worker.</summary>
public readonly record struct WorkResult<T>(T Value, double QueueMilliseconds);

/// <summary>
/// The one thread that touches a workspace's model: every torch call of the workspace (clicks, undo, commit, rollback,
/// export) runs here, one after another, so sessions never interleave inside the learner. Requests wait in a bounded
/// queue (full: <see cref="LimitExceededException"/>); a request cancelled or past its deadline while it waits is
/// dropped without running. Work that has started runs to the end, so the learner is never left half-updated.
/// </summary>
public sealed class WorkspaceWorker : IDisposable
{
    readonly BlockingCollection<WorkItem> _queue;
    readonly Thread _thread;
    readonly string _name;

    public WorkspaceWorker(string name, int capacity)
    {
        _name = name;
        _queue = new BlockingCollection<WorkItem>(new ConcurrentQueue<WorkItem>(), capacity);
        _thread = new Thread(Loop) { IsBackground = true, Name = $"oaims-workspace-{name}" };
        _thread.Start();
    }

    /// <summary>Requests waiting (not counting the one running).</summary>
    public int Queued => _queue.Count;

    /// <summary>Whether the calling code runs on this worker (work must not wait for its own worker).</summary>
    public bool IsCurrentThread => Thread.CurrentThread == _thread;

    public Task<WorkResult<T>> Run<T>(Func<T> work, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        var item = new WorkItem<T>(work, cancellation);
        bool added;
        try { added = _queue.TryAdd(item); }
        catch (InvalidOperationException) { throw new ObjectDisposedException($"Workspace '{_name}' is shutting down."); }
        if (!added)
            throw new LimitExceededException($"Workspace '{_name}' is busy: {_queue.BoundedCapacity} requests are already waiting. Try again shortly.");
        return item.Task;
    }

    public Task Run(Action work, CancellationToken cancellation) => Run(() => { work(); return true; }, cancellation);

    /// <summary>Queues housekeeping (freeing a closed session's tensors) that must not be refused: past a full queue it waits for room.</summary>
    public void Post(Action work)
    {
        var item = new WorkItem<bool>(() => { work(); return true; }, CancellationToken.None);
        try
        {
            if (_queue.TryAdd(item)) return;
        }
        catch (InvalidOperationException) { return; } // shutting down: the learner and its sessions go with the process
        _ = System.Threading.Tasks.Task.Run(() =>
        {
            try { _queue.Add(item); }
            catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException) { }
        });
    }

    void Loop()
    {
        foreach (var item in _queue.GetConsumingEnumerable()) item.Execute();
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        if (!IsCurrentThread) _thread.Join(TimeSpan.FromSeconds(30));
        _queue.Dispose();
    }

    abstract class WorkItem
    {
        public abstract void Execute();
    }

    sealed class WorkItem<T> : WorkItem
    {
        readonly Func<T> _work;
        readonly CancellationToken _cancellation;
        readonly TaskCompletionSource<WorkResult<T>> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        readonly long _enqueued = Stopwatch.GetTimestamp();
        readonly CancellationTokenRegistration _registration;
        int _state; // 0 waiting, 1 running, 2 cancelled before it ran

        public WorkItem(Func<T> work, CancellationToken cancellation)
        {
            _work = work;
            _cancellation = cancellation;
            // A caller that gives up while waiting gets its answer at once; the worker skips the item later.
            _registration = cancellation.Register(() =>
            {
                if (Interlocked.CompareExchange(ref _state, 2, 0) == 0) _done.TrySetCanceled(_cancellation);
            });
        }

        public Task<WorkResult<T>> Task => _done.Task;

        public override void Execute()
        {
            _registration.Dispose();
            if (Interlocked.CompareExchange(ref _state, 1, 0) != 0) return;
            double queued = Stopwatch.GetElapsedTime(_enqueued).TotalMilliseconds;
            try { _done.TrySetResult(new WorkResult<T>(_work(), queued)); }
            catch (Exception e) { _done.TrySetException(e); }
        }
    }
}
