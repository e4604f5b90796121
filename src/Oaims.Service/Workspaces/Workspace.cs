using Oaims.Learning.Adaptation;
using Oaims.Service.Memory;

namespace Oaims.Service.Workspaces;

/// <summary>
/// One online-learning stream: a source model, the learner adapting it, and the worker thread that alone touches the
/// learner. Sessions of the workspace share the learner; their work queues on the worker. The learner's memory
/// (network, optimizer, the most its undo snapshots may take) is held against the memory budget while the workspace lives.
/// </summary>
public sealed class Workspace : IDisposable
{
    int _openSessions;
    readonly MemoryReservation _memory;

    Workspace(string name, LoadedModel model, OnlineLearner learner, WorkspaceWorker worker, MemoryReservation memory, string? stateFolder)
    {
        Name = name; Model = model; Learner = learner; Worker = worker; _memory = memory; StateFolder = stateFolder;
    }

    public string Name { get; }
    public LoadedModel Model { get; }
    public WorkspaceWorker Worker { get; }
    public DateTimeOffset Created { get; } = DateTimeOffset.UtcNow;
    /// <summary>Where the workspace's durable state lives; null when the server does not persist workspaces.</summary>
    public string? StateFolder { get; }
    /// <summary>The model version last saved to <see cref="StateFolder"/> (-1: none yet). Worker only.</summary>
    internal long SavedVersion { get; set; } = -1;

    /// <summary>The learner; touch it only inside work run by <see cref="Worker"/>.</summary>
    public OnlineLearner Learner { get; }

    // Reading these two from any thread is a benign race: a reference and a 64-bit value, read for display.
    public string Strategy => Learner.Strategy.Name;
    public long Version => Learner.Version;
    public double LearningRate => Learner.LearningRate;
    public int OpenSessions => Volatile.Read(ref _openSessions);
    public long MemoryBytes => _memory.Bytes;

    internal void SessionOpened() => Interlocked.Increment(ref _openSessions);
    internal void SessionClosed() => Interlocked.Decrement(ref _openSessions);

    /// <summary>
    /// Starts the worker and builds the learner on it, so that every torch call of the workspace happens on one thread;
    /// then reserves the learner's memory. Its exact size is known only once it is built; refused, it is freed at once.
    /// </summary>
    public static async Task<Workspace> StartAsync(string name, LoadedModel model, Func<OnlineLearner> createLearner, int queueCapacity, MemoryBudget budget, string? stateFolder = null)
    {
        var worker = new WorkspaceWorker(name, queueCapacity);
        OnlineLearner? learner = null;
        try
        {
            learner = (await worker.Run(createLearner, CancellationToken.None)).Value;
            var memory = budget.Reserve(learner.MemoryBytes, MemoryUse.Workspaces,
                $"Workspace '{name}' (network, optimizer and up to {learner.SnapshotsKept} undo snapshots)");
            return new Workspace(name, model, learner, worker, memory, stateFolder);
        }
        catch
        {
            if (learner is not null) _ = worker.Post(learner.Dispose);
            worker.Dispose();
            throw;
        }
    }

    /// <summary>Runs work that touches the learner on the worker.</summary>
    public Task<WorkResult<T>> Run<T>(Func<OnlineLearner, T> work, CancellationToken cancellation) =>
        Worker.Run(() => work(Learner), cancellation);

    public void Dispose()
    {
        // The learner goes with its worker: its disposal queues behind any work still waiting, then the thread ends.
        try { Worker.Post(Learner.Dispose); }
        catch (ObjectDisposedException) { return; }
        Worker.Dispose();
        _memory.Dispose();
    }
}
