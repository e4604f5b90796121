using System.Collections.Concurrent;
using System.Diagnostics;

namespace Oaims.Service.Workspaces;

/// <summary>What a piece of work returned, and how long it waited for the worker.</summary>
public readonly record struct WorkResult<T>(T Value, double QueueMilliseconds);

/// <summary>
/// The one thread that touches a workspace's model: every torch call of the workspace (clicks, undo, commit, rollback,
/// export) runs here, one after another, so sessions never interleave inside the learner. At most `capacity` requests
/// wait (beyond: <see cref="LimitExceededException"/>); a request cancelled or past its deadline while it waits leaves
/// the queue at once and never runs. Work that has started runs to the end, so the learner is never left half-updated.
/// A fault of the thread itself (not of a request: those go back to their callers) stops the worker for good; it then
/// reports <see cref="IsAlive"/> false, and requests fail with <see cref="WorkspaceStoppedException"/>.
/// </summary>
public sealed class WorkspaceWorker : IDisposable
{
    readonly BlockingCollection<WorkItem> _queue = new(new ConcurrentQueue<WorkItem>());
    readonly Thread _thread;
    readonly string _name;
    readonly int _capacity;
    int _waiting;
    volatile Exception? _failure;

    public WorkspaceWorker(string name, int capacity)
    {
        _name = name;
        _capacity = capacity;
        _thread = new Thread(Loop) { IsBackground = true, Name = $"oaims-workspace-{name}" };
        _thread.Start();
    }

    /// <summary>Requests waiting (not counting the one running, nor those given up).</summary>
    public int Queued => Volatile.Read(ref _waiting);

    /// <summary>False once the thread has stopped, by a fault or by disposal; the health check reports a stopped worker.</summary>
    public bool IsAlive => _failure is null && _thread.IsAlive;

    /// <summary>What stopped the thread, when a fault did.</summary>
    public Exception? Failure => _failure;

    public Task<WorkResult<T>> Run<T>(Func<T> work, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        if (Interlocked.Increment(ref _waiting) > _capacity)
        {
            Interlocked.Decrement(ref _waiting);
            throw new LimitExceededException($"Workspace '{_name}' is busy: {_capacity} requests are already waiting for it. Try again shortly.");
        }
        var item = new WorkItem<T>(work, cancellation, () => Interlocked.Decrement(ref _waiting));
        try { Add(item); }
        catch { Interlocked.Decrement(ref _waiting); throw; }
        return item.Task;
    }

    public Task Run(Action work, CancellationToken cancellation) => Run(() => { work(); return true; }, cancellation);

    /// <summary>
    /// Queues housekeeping that must not be refused nor cancelled (freeing a closed session's tensors and memory); it
    /// does not count against the bound, and completes once it has run. On a worker stopped by a fault it runs on the
    /// caller's thread: no other thread uses the workspace then.
    /// </summary>
    public Task Post(Action work)
    {
        var item = new WorkItem<bool>(() => { work(); return true; }, CancellationToken.None, null);
        try { Add(item); }
        catch (WorkspaceStoppedException) { item.Execute(); }
        return item.Task;
    }

    void Add(WorkItem item)
    {
        try { _queue.Add(item); }
        catch (InvalidOperationException) when (_failure is { } failure) { throw Stopped(failure); }
        catch (InvalidOperationException) { throw new ObjectDisposedException($"Workspace '{_name}' is shutting down."); }
    }

    void Loop()
    {
        try
        {
            foreach (var item in _queue.GetConsumingEnumerable()) item.Execute();
        }
        catch (Exception e)
        {
            // Execute keeps what a request throws; only a fault of the thread itself lands here (e.g. an interrupt).
            // No caller is left waiting: requests still queued hear why, housekeeping still runs.
            _failure = e;
            _queue.CompleteAdding();
            foreach (var item in _queue.GetConsumingEnumerable()) item.Stop(Stopped(e));
        }
    }

    WorkspaceStoppedException Stopped(Exception failure) =>
        new($"Workspace '{_name}' cannot run requests: its worker thread stopped ({failure.Message}). The server needs a restart.");

    public void Dispose()
    {
        _queue.CompleteAdding();
        if (Thread.CurrentThread != _thread) _thread.Join(TimeSpan.FromSeconds(30));
    }

    abstract class WorkItem
    {
        public abstract void Execute();

        /// <summary>The worker stopped before this ran: requests fail with the reason, housekeeping runs anyway.</summary>
        public abstract void Stop(Exception reason);
    }

    sealed class WorkItem<T> : WorkItem
    {
        readonly Func<T> _work;
        readonly Action? _leftQueue;
        readonly TaskCompletionSource<WorkResult<T>> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        readonly long _enqueued = Stopwatch.GetTimestamp();
        readonly CancellationTokenRegistration _registration;
        int _state; // 0 waiting, 1 running, 2 given up before it ran

        public WorkItem(Func<T> work, CancellationToken cancellation, Action? leftQueue)
        {
            _work = work;
            _leftQueue = leftQueue;
            // A caller that gives up while waiting gets its answer at once and frees its place; the worker skips the item.
            _registration = cancellation.Register(() =>
            {
                if (Interlocked.CompareExchange(ref _state, 2, 0) != 0) return;
                _leftQueue?.Invoke();
                _done.TrySetCanceled(cancellation);
            });
        }

        public Task<WorkResult<T>> Task => _done.Task;

        public override void Execute()
        {
            _registration.Dispose();
            if (Interlocked.CompareExchange(ref _state, 1, 0) != 0) return;
            _leftQueue?.Invoke();
            double queued = Stopwatch.GetElapsedTime(_enqueued).TotalMilliseconds;
            try { _done.TrySetResult(new WorkResult<T>(_work(), queued)); }
            catch (Exception e) { _done.TrySetException(e); }
        }

        public override void Stop(Exception reason)
        {
            if (_leftQueue is null) { Execute(); return; }
            _registration.Dispose();
            if (Interlocked.CompareExchange(ref _state, 2, 0) != 0) return;
            _leftQueue();
            _done.TrySetException(reason);
        }
    }
}
