using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Oaims.Imaging;
using Oaims.Service.Datastore;
using Oaims.Service.Images;
using Oaims.Service.Memory;
using Oaims.Service.Sessions;

namespace Oaims.Service;

/// <summary>What the datastore shows of an image: the image and whether it is free, being labelled, or labelled.</summary>
public sealed record DatastoreEntry(DatastoreImage Image, DatastoreStatus Status);

public enum DatastoreStatus { Unlabelled, Leased, Labelled }

// The sidecar's datastore side: images handed out one per session, their accepted labels kept (see DatastoreFolder).
public sealed partial class Sidecar
{
    /// <summary>The datastore folder the server was started with (--datastore), or null.</summary>
    public DatastoreFolder? Datastore { get; }

    /// <summary>Which session holds which datastore image.</summary>
    public ImageLeases Leases { get; }

    DatastoreFolder RequireDatastore() =>
        Datastore ?? throw new InvalidOperationException("This server has no datastore: start it with --datastore DIR to hand out images and keep their labels.");

    /// <summary>Every datastore image with its status: leased while a session holds it, else labelled once it has a final label.</summary>
    public IReadOnlyList<DatastoreEntry> ListDatastore() =>
        RequireDatastore().Images().Select(i => new DatastoreEntry(i,
            Leases.Holder(i.Id) is not null ? DatastoreStatus.Leased
            : i.FinalLabelFile is not null ? DatastoreStatus.Labelled : DatastoreStatus.Unlabelled)).ToList();

    /// <summary>
    /// Picks the next unlabelled image no one holds (by the named strategy), leases it and opens a session on it in the
    /// workspace; NotFound when every image is labelled or held.
    /// </summary>
    public async Task<(SegmentationSession Session, DatastoreImage Image)> NextImageAsync(string workspaceName, string? strategyName, int targetClass, int leaseSeconds, CancellationToken cancellation)
    {
        var store = RequireDatastore();
        var workspace = Workspace(workspaceName);
        var strategy = NextImageStrategies.Named(strategyName);
        var entries = ListDatastore();
        var free = entries.Where(e => e.Status == DatastoreStatus.Unlabelled).Select(e => e.Image).ToList();
        if (free.Count == 0)
            throw new NotFoundException($"No unlabelled image is free in the datastore: of {entries.Count}, {entries.Count(e => e.Status == DatastoreStatus.Labelled)} are labelled " +
                                        $"and {entries.Count(e => e.Status == DatastoreStatus.Leased)} are being labelled.");
        var order = await strategy.OrderAsync(free, workspace, ReadDatastoreVolume, cancellation);
        string sessionId = SessionTable.NewId();
        string imageId = Leases.TakeFirstFree(order.Select(i => i.Id), sessionId)
                         ?? throw new NotFoundException("Every unlabelled image was handed to another session while this request was choosing; ask again.");
        var session = OpenLeased(store.Image(imageId), workspaceName, sessionId, targetClass, leaseSeconds);
        _log.LogInformation("Datastore image {DatastoreImage} handed out ({Strategy}) to session {SessionId}", imageId, strategy.Name, sessionId);
        return (session, store.Image(imageId));
    }

    /// <summary>Leases a chosen datastore image (labelled or not) and opens a session on it; FailedPrecondition when another session holds it.</summary>
    public (SegmentationSession Session, DatastoreImage Image) OpenDatastoreImage(string workspaceName, string imageId, int targetClass, int leaseSeconds)
    {
        var image = RequireDatastore().Image(imageId);
        Workspace(workspaceName);
        string sessionId = SessionTable.NewId();
        if (Leases.TakeFirstFree([image.Id], sessionId) is null)
            throw new InvalidOperationException($"Image {UserInput.Quote(image.Id)} is being labelled in another session; it returns to the pool when that session is closed or its lease runs out.");
        return (OpenLeased(image, workspaceName, sessionId, targetClass, leaseSeconds), image);
    }

    SegmentationSession OpenLeased(DatastoreImage image, string workspaceName, string sessionId, int targetClass, int leaseSeconds)
    {
        try
        {
            var stored = StoreDatastoreImage(image);
            var session = OpenSession(workspaceName, stored.Id, targetClass, leaseSeconds, sessionId: sessionId);
            Leases.Bind(image.Id, sessionId);
            return session;
        }
        catch
        {
            Leases.Release(image.Id, sessionId);
            throw;
        }
    }

    /// <summary>A datastore image's voxels, within the server's size limits.</summary>
    Volume ReadDatastoreVolume(DatastoreImage image)
    {
        var volume = VolumeIO.Read(RequireDatastore().ImagePath(image), new ReadLimits(Limits.MaxUploadBytes));
        if (volume.VoxelCount > Limits.MaxVoxels)
            throw new LimitExceededException($"Datastore image {UserInput.Quote(image.Id)} ({string.Join("x", volume.Dims)}) has more voxels than the {Limits.MaxVoxels} this server accepts.");
        return volume;
    }

    // Into the image store as if uploaded as float32, so its id is the fingerprint a client would compute for those voxels.
    StoredImage StoreDatastoreImage(DatastoreImage image)
    {
        var volume = ReadDatastoreVolume(image);
        var m = volume.IjkToRas;
        var description = new ImageDescription(volume.Dims, volume.ChannelCount, UploadVoxelType.Float32,
            Enumerable.Range(0, 16).Select(n => m[n / 4, n % 4]).ToArray(), null, image.FileName);
        using var fingerprint = new ImageFingerprint(description);
        foreach (var channel in volume.Channels) fingerprint.Append(MemoryMarshal.AsBytes(channel.AsSpan()));
        string id = fingerprint.Finish();
        if (Images.Find(id) is { } known) return known;
        var memory = Budget.Reserve(description.StoredBytes, MemoryUse.Images, $"Datastore image {UserInput.Quote(image.Id)} ({string.Join("x", volume.Dims)})");
        return Images.Add(new StoredImage(id, volume, image.FileName, description.PayloadBytes), memory).Image;
    }

    /// <summary>Worker, inside a commit: stores the session's labels in the datastore when its image came from there; returns the label version.</summary>
    long? StoreDatastoreLabel(SegmentationSession session, CommitResult result)
    {
        if (Datastore is null || Leases.ImageOf(session.Id) is not { } imageId) return null;
        var labels = session.CopyLabels();
        var volume = new Volume(session.Dims, [Array.ConvertAll(labels, b => (float)b)], session.IjkToRas);
        string log = session.Log.ToJson(labels, session.Dims, session.TargetClass, session.Workspace.Name, session.ModelVersionAtOpen, result.Steps, result.ModelVersion);
        long version = Datastore.SaveFinalLabel(Datastore.Image(imageId), volume, log);
        _log.LogInformation("Datastore image {DatastoreImage}: label version {LabelVersion} stored from session {SessionId} ({ClickCount} clicks)", imageId, version, session.Id, session.ClickCount);
        return version;
    }

    /// <summary>A file to send to a client: the image, its final label (version 0 or absent), or a kept label version.</summary>
    public string DatastoreFile(string imageId, bool label, long labelVersion)
    {
        var store = RequireDatastore();
        var image = store.Image(imageId);
        if (!label) return store.ImagePath(image);
        if (labelVersion < 0) throw new ArgumentException($"A label version is 1 or more (0: the final label), got {labelVersion}.");
        if (labelVersion > 0) return LabelVersions.LabelFile(store.Versions.VersionFolder(image.Id, labelVersion));
        return store.FinalLabelPath(image) ?? throw new NotFoundException($"Image {UserInput.Quote(image.Id)} has no final label yet.");
    }
}
