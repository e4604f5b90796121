using Microsoft.Extensions.Logging;

namespace Oaims.Service.Datastore;

/// <summary>What pre-labelling one datastore image gave: its label written (or only proposed), or why it failed.</summary>
public sealed record PrelabelledImage(string ImageId, string Status, int Slices, long? ModelVersion, string? LabelFile, string? Error)
{
    public const string Written = "written", Proposed = "proposed", Failed = "failed";
}

/// <summary>What a batch pre-labelling was asked for: the workspace, which images (all, labeled, unlabeled), the tag written, whether labels are saved.</summary>
public sealed record PrelabelRequest(string Workspace, string Images, string LabelTag, bool SaveLabel);

/// <summary>A batch's state in MONAI Label's words (its background tasks are RUNNING, DONE, ERROR or STOPPED).</summary>
public enum PrelabelTaskStatus { Running, Done, Error, Stopped }

/// <summary>
/// One batch pre-labelling of the datastore: its request, the images it covers, and what became of each so far. Any
/// thread may read it while the batch runs; <see cref="Results"/> is a copy.
/// </summary>
public sealed class PrelabelTask(string id, PrelabelRequest request, IReadOnlyList<string> imageIds)
{
    readonly object _gate = new();
    readonly List<PrelabelledImage> _results = [];
    internal readonly CancellationTokenSource StopRequested = new();
    internal Task Completion = Task.CompletedTask;

    public string Id { get; } = id;
    public PrelabelRequest Request { get; } = request;
    public IReadOnlyList<string> ImageIds { get; } = imageIds;
    public DateTimeOffset Started { get; } = DateTimeOffset.UtcNow;
    public DateTimeOffset? Ended { get; private set; }
    public PrelabelTaskStatus Status { get; private set; } = PrelabelTaskStatus.Running;
    /// <summary>A stop was asked; the batch ends after the image it is on.</summary>
    public bool Stopping => StopRequested.IsCancellationRequested;
    /// <summary>Why the batch ended in <see cref="PrelabelTaskStatus.Error"/>.</summary>
    public string? Error { get; private set; }

    public IReadOnlyList<PrelabelledImage> Results { get { lock (_gate) return _results.ToList(); } }

    internal void Add(PrelabelledImage result) { lock (_gate) _results.Add(result); }

    internal void End(PrelabelTaskStatus status, string? error = null)
    {
        lock (_gate) { Status = status; Error = error; Ended = DateTimeOffset.UtcNow; }
    }
}

/// <summary>
/// The datastore's batch pre-labelling as MONAI Label runs batch inference: one background task at a time (a second
/// request while one runs is refused), stoppable between images, with the last few tasks kept for their status.
/// What pre-labels one image is the caller's (<see cref="Sidecar.PrelabelDatastoreImageAsync"/>); this type only runs the batch.
/// </summary>
public sealed class BatchPrelabelling(ILogger log)
{
    /// <summary>Finished tasks kept for GET /batch/infer?all=true.</summary>
    public const int TasksKept = 20;

    readonly object _gate = new();
    readonly List<PrelabelTask> _tasks = [];
    PrelabelTask? _running;

    /// <summary>The task running now, or null.</summary>
    public PrelabelTask? Running { get { lock (_gate) return _running; } }

    /// <summary>Every kept task, oldest first.</summary>
    public IReadOnlyList<PrelabelTask> All { get { lock (_gate) return _tasks.ToList(); } }

    /// <summary>Starts the batch in the background; <see cref="LimitExceededException"/> while another one runs.</summary>
    /// <param name="prelabel">Pre-labels one image; an image at fault comes back as <see cref="PrelabelledImage.Failed"/>, anything it throws ends the batch in ERROR.</param>
    public PrelabelTask Start(PrelabelRequest request, IReadOnlyList<string> imageIds, Func<string, Task<PrelabelledImage>> prelabel)
    {
        lock (_gate)
        {
            if (_running is { } running)
                throw new LimitExceededException($"A batch inference is already running (task {running.Id}, {running.Results.Count} of {running.ImageIds.Count} images done): " +
                                                 "follow it with GET /batch/infer, or stop it with DELETE /batch/infer.");
            var task = new PrelabelTask(Guid.NewGuid().ToString(), request, imageIds);
            _tasks.Add(task);
            if (_tasks.Count > TasksKept) _tasks.RemoveAt(0);
            _running = task;
            task.Completion = Task.Run(() => RunAsync(task, prelabel));
            return task;
        }
    }

    /// <summary>Asks the running task to stop after the image it is on, and returns it once it has stopped; NotFound when none runs.</summary>
    public async Task<PrelabelTask> StopAsync()
    {
        var task = Running ?? throw new NotFoundException("No batch inference is running, so there is nothing to stop.");
        task.StopRequested.Cancel();
        await task.Completion;
        return task;
    }

    /// <summary>At shutdown: asks a running task to stop, without waiting.</summary>
    public void StopRunning() => Running?.StopRequested.Cancel();

    async Task RunAsync(PrelabelTask task, Func<string, Task<PrelabelledImage>> prelabel)
    {
        log.LogInformation("Batch pre-labelling {TaskId} started: {ImageCount} images with workspace {Workspace}, tag {LabelTag}",
            task.Id, task.ImageIds.Count, task.Request.Workspace, task.Request.LabelTag);
        try
        {
            foreach (string imageId in task.ImageIds)
            {
                // Stopping between images: an image started is finished, so its label is written whole or not at all.
                if (task.StopRequested.IsCancellationRequested) { task.End(PrelabelTaskStatus.Stopped); break; }
                task.Add(await prelabel(imageId));
            }
            if (task.Status == PrelabelTaskStatus.Running) task.End(PrelabelTaskStatus.Done);
        }
        catch (Exception e)
        {
            log.LogError(e, "Batch pre-labelling {TaskId} failed", task.Id);
            // The workspace removed or stopped, the server shutting down: said as it is; anything else is the server's fault.
            task.End(PrelabelTaskStatus.Error, e is NotFoundException or ObjectDisposedException or WorkspaceStoppedException
                ? $"The batch could not go on: {e.Message}"
                : "The server failed during the batch (its log has the details).");
        }
        finally
        {
            lock (_gate) _running = null;
        }
        log.LogInformation("Batch pre-labelling {TaskId} ended {Status}: {Done} of {ImageCount} images ({Failed} failed)",
            task.Id, task.Status, task.Results.Count, task.ImageIds.Count, task.Results.Count(r => r.Status == PrelabelledImage.Failed));
    }
}
