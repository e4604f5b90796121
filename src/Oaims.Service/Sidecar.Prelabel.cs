using Microsoft.Extensions.Logging;
using Oaims.Imaging;
using Oaims.Learning.Inference;
using Oaims.Service.Datastore;

namespace Oaims.Service;

// Batch pre-labelling of the datastore (MONAI Label's batch inference): click-free proposals of every slice by a
// workspace's current, adapted model, written as labels under a tag other than final.
public sealed partial class Sidecar
{
    BatchPrelabelling? _batchPrelabelling;

    /// <summary>The datastore's batch pre-labelling: one background task at a time.</summary>
    public BatchPrelabelling BatchPrelabelling => LazyInitializer.EnsureInitialized(ref _batchPrelabelling, () => new BatchPrelabelling(_log));

    /// <summary>Which datastore images a batch covers: all, labeled (with a final label) or unlabeled, by id.</summary>
    public IReadOnlyList<string> DatastoreSelection(string images) => images switch
    {
        "all" => ListDatastore().Select(e => e.Image.Id).ToList(),
        "labeled" => ListDatastore().Where(e => e.Image.FinalLabelFile is not null).Select(e => e.Image.Id).ToList(),
        "unlabeled" => ListDatastore().Where(e => e.Image.FinalLabelFile is null).Select(e => e.Image.Id).ToList(),
        _ => throw new ArgumentException($"images={UserInput.Quote(images)} is not known: use all, labeled or unlabeled."),
    };

    /// <summary>Starts pre-labelling the selected datastore images in the background; checks the request before anything runs.</summary>
    public PrelabelTask StartBatchPrelabelling(PrelabelRequest request)
    {
        Workspace(request.Workspace);
        DatastoreFolder.CheckWritableTag(request.LabelTag);
        var imageIds = DatastoreSelection(request.Images);
        return BatchPrelabelling.Start(request, imageIds, id => PrelabelDatastoreImageAsync(request.Workspace, id, request.SaveLabel ? request.LabelTag : null));
    }

    /// <summary>
    /// Proposes every slice of a datastore image, without clicks, with the workspace's model as adapted so far (one job on
    /// its worker, so users' clicks run in between images), and writes the label map under the tag with the image's
    /// geometry (tag null: proposed only). An image at fault (unreadable, too large, gone) comes back as failed, with why.
    /// </summary>
    public async Task<PrelabelledImage> PrelabelDatastoreImageAsync(string workspaceName, string imageId, string? tag)
    {
        var workspace = Workspace(workspaceName);
        var store = RequireDatastore();
        try
        {
            var image = store.Image(imageId);
            var volume = ReadDatastoreVolume(image);
            var (labels, version) = await WhenWorkerFree(() => workspace.Run(learner => (new VolumeProposer(learner.Network, learner.Task).Propose(volume), learner.Version), CancellationToken.None));
            string? file = tag is null ? null : store.SaveTaggedLabel(image, tag, new Volume(volume.Dims, [Array.ConvertAll(labels, l => (float)l)], volume.IjkToRas));
            _log.LogInformation("Datastore image {DatastoreImage} pre-labelled by workspace {Workspace} version {ModelVersion}{Saved}",
                imageId, workspaceName, version, file is null ? " (not saved)" : $" into {file}");
            return new PrelabelledImage(imageId, file is null ? PrelabelledImage.Proposed : PrelabelledImage.Written, volume.Dims[VolumeProposer.SliceAxis], version, file, null);
        }
        catch (Exception e) when (e is ImageFormatException or InvalidDataException or ArgumentException or LimitExceededException or NotFoundException or IOException or UnauthorizedAccessException)
        {
            _log.LogWarning("Datastore image {DatastoreImage} not pre-labelled: {Reason}", imageId, e.Message);
            return new PrelabelledImage(imageId, PrelabelledImage.Failed, 0, null, null, e.Message);
        }
    }

    // A batch yields to users: when the worker's queue is full of their requests, it waits and asks again.
    static async Task<T> WhenWorkerFree<T>(Func<Task<Workspaces.WorkResult<T>>> work)
    {
        while (true)
        {
            try { return (await work()).Value; }
            catch (LimitExceededException) { await Task.Delay(200); }
        }
    }
}
