using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Oaims.Interaction;
using Oaims.Learning.Adaptation;
using Oaims.Service.Images;
using Oaims.Service.Sessions;
using Oaims.Service.Workspaces;
using V1 = Oaims.Service.V1;

namespace Oaims.Service.Grpc;

/// <summary>Wire messages to domain values and back; nothing else.</summary>
public static class Wire
{
    public static V1.MaskDelta ToWire(MaskDelta delta) => delta.Box is not VoxelBox box
        ? new V1.MaskDelta { Encoding = V1.MaskEncoding.BitPacked }
        : new V1.MaskDelta
        {
            Box = new V1.VoxelBox { MinI = box.MinX, MinJ = box.MinY, MinK = box.MinZ, MaxI = box.MaxX, MaxJ = box.MaxY, MaxK = box.MaxZ },
            Encoding = delta.Encoding == MaskEncoding.BitPacked ? V1.MaskEncoding.BitPacked : V1.MaskEncoding.BytePerVoxel,
            Data = ByteString.CopyFrom(delta.Data),
        };

    /// <summary>The domain delta of a wire delta (clients use it to apply what they receive).</summary>
    public static MaskDelta FromWire(V1.MaskDelta delta) => delta.Box is not { } b
        ? MaskDelta.Empty
        : new MaskDelta(new VoxelBox(b.MinI, b.MinJ, b.MinK, b.MaxI, b.MaxJ, b.MaxK),
            delta.Encoding switch
            {
                V1.MaskEncoding.BitPacked => MaskEncoding.BitPacked,
                V1.MaskEncoding.BytePerVoxel => MaskEncoding.BytePerVoxel,
                _ => throw new InvalidDataException($"Unknown mask encoding {delta.Encoding}."),
            },
            delta.Data.ToByteArray());

    /// <summary>The domain deltas of a mask a client sent; <paramref name="what"/> names the mask in the sentence refusing an unknown encoding.</summary>
    public static List<MaskDelta> FromWire(IEnumerable<V1.MaskDelta> boxes, string what) => boxes.Select(delta =>
        delta.Box is null || delta.Encoding is V1.MaskEncoding.BitPacked or V1.MaskEncoding.BytePerVoxel ? FromWire(delta)
            : throw new ArgumentException($"A box of {what} has mask encoding {delta.Encoding}: use BIT_PACKED or BYTE_PER_VOXEL.")).ToList();

    public static V1.AdaptationStep ToWire(AdaptationStep step) => new()
    {
        Index = step.Index, Kind = step.Kind, Loss = step.Loss, Milliseconds = step.Milliseconds, ModelVersion = step.Version, Applied = step.Applied,
    };

    public static V1.ModelVersion ToWire(ModelVersion version)
    {
        var wire = new V1.ModelVersion { Version = version.Version, Kind = version.Kind, Created = Timestamp.FromDateTimeOffset(version.Created) };
        if (version.RestoredFrom is long from) wire.RestoredFrom = from;
        if (version.Loss is double loss) wire.Loss = loss;
        return wire;
    }

    public static V1.ModelInfo ToWire(LoadedModel model)
    {
        var info = new V1.ModelInfo
        {
            Name = model.Name, Task = model.Card.Task, ImageChannels = model.Task.ImageChannels, InputSize = model.Card.InputSize,
        };
        info.ClassNames.Add(model.Card.ClassNames);
        info.Metrics.Add(model.Card.Metrics);
        return info;
    }

    public static V1.WorkspaceInfo ToWire(Workspace workspace, string? checksum = null) => new()
    {
        Name = workspace.Name, Model = workspace.Model.Name, Strategy = workspace.Strategy, LearningRate = workspace.LearningRate,
        ModelVersion = workspace.Version, OpenSessions = workspace.OpenSessions, Queued = workspace.Worker.Queued,
        WeightsChecksum = checksum ?? "", Created = Timestamp.FromDateTimeOffset(workspace.Created),
    };

    public static V1.UndoResponse ToWire(UndoResult result) => new()
    {
        Undone = result.Outcome.Undone, Delta = ToWire(result.Delta), ClickCount = result.ClickCount, ModelVersion = result.ModelVersion,
        Weights = result.Outcome.Weights switch
        {
            UndoWeights.Restored => V1.UndoWeights.Restored,
            UndoWeights.Kept => V1.UndoWeights.Kept,
            _ => V1.UndoWeights.NoUpdate,
        },
        WeightsKeptReason = result.Outcome.KeptBecause ?? "",
    };

    public static V1.SessionInfo ToWire(SegmentationSession session)
    {
        var info = new V1.SessionInfo
        {
            SessionId = session.Id, Workspace = session.Workspace.Name, ImageId = session.ImageId, TargetClass = session.TargetClass,
            LeaseSeconds = session.LeaseSeconds, ExpiresAt = Timestamp.FromDateTimeOffset(session.ExpiresAt),
            ModelVersion = session.Workspace.Version, ClickCount = session.ClickCount, Committed = session.Committed,
            FieldOfView = session.FieldOfView,
        };
        info.Dims.Add(session.Dims);
        return info;
    }

    public static V1.ImageRef ToWire(StoredImage image, bool alreadyKnown)
    {
        var wire = new V1.ImageRef
        {
            ImageId = image.Id, Channels = image.Volume.ChannelCount, AlreadyKnown = alreadyKnown, PayloadBytes = image.PayloadBytes, Name = image.Name ?? "",
        };
        wire.Dims.Add(image.Volume.Dims);
        return wire;
    }

    public static V1.Limits ToWire(ServiceLimits limits) => new()
    {
        MaxUploadBytes = limits.MaxUploadBytes, MaxVoxels = limits.MaxVoxels, MaxMessageBytes = limits.MaxMessageBytes,
        MaxSessions = limits.MaxSessions, QueueCapacity = limits.QueueCapacity, DefaultLeaseSeconds = limits.DefaultLeaseSeconds,
        MaxLeaseSeconds = limits.MaxLeaseSeconds, UploadChunkBytes = limits.UploadChunkBytes,
        MemoryBudgetBytes = limits.MemoryBudgetBytes, SnapshotBytesPerWorkspace = limits.SnapshotBytesPerWorkspace,
        MaxConcurrentUploads = limits.MaxConcurrentUploads, UploadIdleSeconds = limits.UploadIdleSeconds, MaxWorkspaces = limits.MaxWorkspaces,
    };

    public static ImageDescription FromWire(V1.ImageHeader header) => new(
        header.Dims.ToArray(), header.Channels, (UploadVoxelType)(int)header.VoxelType,
        header.IjkToRas.Count == 0 ? ImageDescription.Identity : header.IjkToRas.ToArray(),
        string.IsNullOrEmpty(header.Fingerprint) ? null : header.Fingerprint, string.IsNullOrEmpty(header.Name) ? null : header.Name);

    public static UserClick FromWire(V1.Click? click)
    {
        if (click is null) throw new ArgumentException("The request carries no click.");
        return new UserClick(click.Axis, click.I, click.J, click.K,
            click.LabelCase == V1.Click.LabelOneofCase.Positive ? click.Positive : null,
            click.LabelCase == V1.Click.LabelOneofCase.ClassIndex ? click.ClassIndex : null);
    }

    public static V1.Latency Latency(double queue, double forward, double adaptation, double encode, double total) => new()
    {
        QueueMs = queue, ForwardMs = forward, AdaptationMs = adaptation, EncodeMs = encode, TotalMs = total,
    };
}
