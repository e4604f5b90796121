using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Oaims.Service.V1;
using static Oaims.Cli.Reliability.MalformedValues;
using V1 = Oaims.Service.V1;

namespace Oaims.Cli.Reliability;

/// <summary>
/// A deterministic stream of malformed requests over every RPC of oaims.v1.Segmentation, Workspaces, Propagation and
/// Datastore: wrong, empty, huge, non-ASCII and newline-suffixed names and ids, negative and overflowing numbers, bad
/// image headers and payloads, bad clicks, slices and paths, unknown strategies, images absent or held by another
/// session, and raw bytes that are no protobuf message at all. The same seed gives the same
/// requests in the same order. The catalogue of cases is walked in a seeded order and starts again (with fresh random
/// values) when it runs out, so a few hundred requests cover every RPC and every kind of defect. Used by the tests and
/// meant for `oaims soak`: every request must be refused with a clear status, and none may change the target.
/// </summary>
public sealed class MalformedRequests(MalformedTarget target)
{
    static readonly ServiceDescriptor[] Services = [Segmentation.Descriptor, V1.Workspaces.Descriptor, Propagation.Descriptor, V1.Datastore.Descriptor];

    /// <summary>Every RPC the generator covers, as "Service.Method".</summary>
    public static IReadOnlyList<string> Methods { get; } = [.. Services.SelectMany(s => s.Methods).Select(Name)];

    public IEnumerable<MalformedRequest> Generate(int count, int seed)
    {
        var random = new Random(seed);
        int produced = 0;
        while (true)
        {
            var catalogue = Catalogue(random).ToArray();
            random.Shuffle(catalogue);
            foreach (var request in catalogue)
            {
                if (produced++ == count) yield break;
                yield return request;
            }
        }
    }

    IEnumerable<MalformedRequest> Catalogue(Random random)
    {
        foreach (var method in Services.SelectMany(s => s.Methods))
            foreach (var request in RawBytes(method, random)) yield return request;
        foreach (var request in Images(random)) yield return request;
        foreach (var request in Sessions(random)) yield return request;
        foreach (var request in Clicks()) yield return request;
        foreach (var request in Masks()) yield return request;
        foreach (var request in WorkspaceRequests(random)) yield return request;
        foreach (var request in Files(random)) yield return request;
        foreach (var request in Propagations(random)) yield return request;
        foreach (var request in DatastoreRequests()) yield return request;
    }

    IEnumerable<MalformedRequest> Images(Random random)
    {
        foreach (var (what, id) in Ids(target.ImageId, random).Where(v => v.Case != "well-formed but unknown")) // unknown is a plain "no"
            yield return Unary("Segmentation.FindImage", $"image_id: {what}", (i, o) => Seg(i).FindImageAsync(new FindImageRequest { ImageId = id }, o));
        foreach (var (what, messages) in Uploads(random))
            yield return new("Segmentation.UploadImage", what, (i, o) => UploadAsync(i, o, messages));
    }

    IEnumerable<MalformedRequest> Sessions(Random random)
    {
        foreach (var (what, name) in LookupNames(target.Workspace))
            yield return Open($"workspace: {what}", name, target.ImageId, 1, 0);
        foreach (var (what, id) in Ids(target.ImageId, random))
            yield return Open($"image_id: {what}", target.Workspace, id, 1, 0);
        foreach (int targetClass in new[] { 0, -1, 1000, int.MinValue, int.MaxValue })
            yield return Open($"target_class {targetClass}", target.Workspace, target.ImageId, targetClass, 0);
        foreach (int lease in new[] { -1, int.MinValue, int.MaxValue })
            yield return Open($"lease_seconds {lease}", target.Workspace, target.ImageId, 1, lease);
        foreach (int side in new[] { -1, int.MinValue })
            yield return Open($"field_of_view {side}", target.Workspace, target.ImageId, 1, 0, side);

        foreach (var (what, id) in Ids(target.SessionId, random))
        {
            string field = $"session_id: {what}";
            yield return Unary("Segmentation.Heartbeat", field, (i, o) => Seg(i).HeartbeatAsync(new HeartbeatRequest { SessionId = id }, o));
            yield return Streamed("Segmentation.Interact", field, (i, o) => Seg(i).Interact(new InteractRequest { SessionId = id, Click = ClickAt(axis: 2) }, o));
            yield return Unary("Segmentation.Undo", field, (i, o) => Seg(i).UndoAsync(new UndoRequest { SessionId = id }, o));
            yield return Streamed("Segmentation.Commit", field, (i, o) => Seg(i).Commit(new CommitRequest { SessionId = id }, o));
            yield return Streamed("Segmentation.GetMask", field, (i, o) => Seg(i).GetMask(new GetMaskRequest { SessionId = id }, o));
            yield return Unary("Segmentation.CloseSession", field, (i, o) => Seg(i).CloseSessionAsync(new CloseSessionRequest { SessionId = id }, o));
        }
        foreach (int chunk in new[] { -1, int.MinValue })
            yield return Streamed("Segmentation.GetMask", $"max_voxels_per_chunk {chunk}",
                (i, o) => Seg(i).GetMask(new GetMaskRequest { SessionId = target.SessionId, MaxVoxelsPerChunk = chunk }, o));
    }

    MalformedRequest Open(string what, string workspace, string imageId, int targetClass, int lease, int fieldOfView = 0) =>
        Unary("Segmentation.OpenSession", what, (i, o) => Seg(i).OpenSessionAsync(
            new OpenSessionRequest { Workspace = workspace, ImageId = imageId, TargetClass = targetClass, LeaseSeconds = lease, FieldOfView = fieldOfView }, o));

    // Clicks on the real session, each wrong in one way only (the other coordinates in the middle of the image).
    IEnumerable<MalformedRequest> Clicks()
    {
        int[] d = target.SessionDims;
        int axis = d[2] == 1 ? 2 : 0;
        var clicks = new List<(string, Click?)>
        {
            ("axis 3", ClickAt(axis: 3)), ("axis -1", ClickAt(axis: -1)), ("axis int32 max", ClickAt(axis: int.MaxValue)),
            ("i = -1", ClickAt(axis, i: -1)), ("i = width", ClickAt(axis, i: d[0])), ("j = height", ClickAt(axis, j: d[1])),
            ("k = depth", ClickAt(axis, k: d[2])), ("i = int32 min", ClickAt(axis, i: int.MinValue)), ("k = int32 max", ClickAt(axis, k: int.MaxValue)),
            ("no label", ClickAt(axis, label: false)), ("class -1", ClickAt(axis, classIndex: -1)), ("class 1000", ClickAt(axis, classIndex: 1000)),
            ("class int32 max", ClickAt(axis, classIndex: int.MaxValue)), ("no click at all", null),
        };
        if (d[2] == 1)
        {
            clicks.Add(("axis 0 on a 2D image", ClickAt(axis: 0)));
            clicks.Add(("axis 1 on a 2D image", ClickAt(axis: 1)));
        }
        foreach (var (what, click) in clicks)
            yield return Streamed("Segmentation.Interact", $"click: {what}", (i, o) => Seg(i).Interact(new InteractRequest { SessionId = target.SessionId, Click = click }, o));
    }

    // Masks sent with OpenSession (initial_mask) and Commit (final_mask) on the real session, each wrong in one way only.
    IEnumerable<MalformedRequest> Masks()
    {
        int[] d = target.SessionDims;
        var shape = new Interaction.VolumeShape(d[0], d[1], d[2]);
        var whole = Service.Grpc.Wire.ToWire(Interaction.MaskDelta.OfBox<byte>(new byte[shape.VoxelCount], shape, shape.All));
        V1.MaskDelta With(Action<V1.MaskDelta> change)
        {
            var delta = whole.Clone();
            change(delta);
            return delta;
        }
        var masks = new List<(string, V1.MaskDelta[])>
        {
            ("box past the image", [With(m => m.Box.MaxI = d[0])]), ("box from -1", [With(m => m.Box.MinJ = -1)]),
            ("box over all int32", [With(m => { m.Box.MinI = int.MinValue; m.Box.MaxI = int.MaxValue; })]),
            ("inverted box", [With(m => { m.Box.MinK = d[2] - 1; m.Box.MaxK = 0; m.Box.MinI = d[0] - 1; m.Box.MaxI = 0; })]),
            ("no encoding", [With(m => m.Encoding = V1.MaskEncoding.Unspecified)]), ("encoding 99", [With(m => m.Encoding = (V1.MaskEncoding)99)]),
            ("data not zlib", [With(m => m.Data = ByteString.CopyFromUtf8("no zlib here"))]), ("no data", [With(m => m.Data = ByteString.Empty)]),
            ("label 255", [Service.Grpc.Wire.ToWire(Interaction.MaskDelta.OfBox<byte>(Enumerable.Repeat((byte)255, (int)shape.VoxelCount).ToArray(), shape, shape.All))]),
            ("the image twice", [whole, whole]),
        };
        foreach (var (what, boxes) in masks)
        {
            var open = new OpenSessionRequest { Workspace = target.Workspace, ImageId = target.ImageId, TargetClass = 1 };
            open.InitialMask.Add(boxes);
            yield return Unary("Segmentation.OpenSession", $"initial_mask: {what}", (i, o) => Seg(i).OpenSessionAsync(open, o));
            var commit = new CommitRequest { SessionId = target.SessionId };
            commit.FinalMask.Add(boxes);
            yield return Streamed("Segmentation.Commit", $"final_mask: {what}", (i, o) => Seg(i).Commit(commit, o));
        }
    }

    // Propagation from the target's 2D session and, with a datastore, from the held 3D session, each wrong in one way only;
    // all ask to accept the slice first, so that a check let through would move the weights the run watches.
    IEnumerable<MalformedRequest> Propagations(Random random)
    {
        PropagateRequest Request(string session, int axis, int slice, int maxSlices = 0) =>
            new() { SessionId = session, Axis = axis, Slice = slice, MaxSlices = maxSlices, AcceptFirst = true };
        foreach (var (what, id) in Ids(target.SessionId, random))
            yield return Propagate($"session_id: {what}", Request(id, 2, 0));
        var sessions = new List<(string Kind, string Id, int[] Dims)> { ("2D session", target.SessionId, target.SessionDims) };
        if (target.Datastore is { } store) sessions.Add(("3D session", store.HeldSessionId, store.HeldSessionDims));
        foreach (var (kind, id, d) in sessions)
        {
            int axis = d[2] == 1 ? 2 : 0, middle = d[axis] / 2;
            var cases = new List<(string, PropagateRequest)>
            {
                ("axis 3", Request(id, 3, 0)), ("axis -1", Request(id, -1, 0)), ("axis int32 max", Request(id, int.MaxValue, 0)),
                ("slice -1", Request(id, axis, -1)), ("slice int32 min", Request(id, axis, int.MinValue)), ("slice int32 max", Request(id, axis, int.MaxValue)),
                ("max_slices -1", Request(id, axis, middle, -1)), ("max_slices int32 min", Request(id, axis, middle, int.MinValue)),
            };
            for (int a = d[2] == 1 ? 2 : 0; a < 3; a++)
                cases.Add(($"slice {d[a]} past the end of axis {a}", Request(id, a, d[a])));
            if (d[2] == 1)
            {
                cases.Add(("axis 0 on a 2D image", Request(id, 0, 0)));
                cases.Add(("axis 1 on a 2D image", Request(id, 1, 0)));
            }
            foreach (var (what, request) in cases)
                yield return Propagate($"{kind}, {what}", request);
        }
    }

    static MalformedRequest Propagate(string what, PropagateRequest request) =>
        Streamed("Propagation.Propagate", what, (i, o) => new Propagation.PropagationClient(i).Propagate(request, o));

    // The datastore's images: lookups of absent ones, leases with a wrong field next to a free image, the held image, label versions that do not exist.
    IEnumerable<MalformedRequest> DatastoreRequests()
    {
        if (target.Datastore is not { } store) yield break;
        foreach (var (what, name) in LookupNames(target.Workspace))
        {
            yield return Next($"workspace: {what}", new NextImageRequest { Workspace = name, TargetClass = 1 });
            yield return OpenImage($"workspace: {what}", new OpenImageRequest { Workspace = name, ImageId = store.FreeImageId, TargetClass = 1 });
        }
        foreach (var (what, strategy) in NextImageStrategies)
            yield return Next($"strategy: {what}", new NextImageRequest { Workspace = target.Workspace, Strategy = strategy, TargetClass = 1 });
        foreach (int targetClass in new[] { 0, -1, 1000, int.MinValue, int.MaxValue })
        {
            yield return Next($"target_class {targetClass}", new NextImageRequest { Workspace = target.Workspace, TargetClass = targetClass });
            yield return OpenImage($"target_class {targetClass}", new OpenImageRequest { Workspace = target.Workspace, ImageId = store.FreeImageId, TargetClass = targetClass });
        }
        foreach (int lease in new[] { -1, int.MinValue, int.MaxValue })
        {
            yield return Next($"lease_seconds {lease}", new NextImageRequest { Workspace = target.Workspace, TargetClass = 1, LeaseSeconds = lease });
            yield return OpenImage($"lease_seconds {lease}", new OpenImageRequest { Workspace = target.Workspace, ImageId = store.FreeImageId, TargetClass = 1, LeaseSeconds = lease });
        }
        foreach (var (what, id) in DatastoreIds(store.FreeImageId))
        {
            yield return OpenImage($"image_id: {what}", new OpenImageRequest { Workspace = target.Workspace, ImageId = id, TargetClass = 1 });
            yield return Fetch($"image_id: {what}", new FetchImageRequest { ImageId = id });
        }
        yield return OpenImage("image_id: an image another session holds", new OpenImageRequest { Workspace = target.Workspace, ImageId = store.HeldImageId, TargetClass = 1 });
        foreach (long version in new[] { -1, long.MinValue, long.MaxValue, 1 })
            yield return Fetch($"label_version {version}", new FetchImageRequest { ImageId = store.FreeImageId, Label = true, LabelVersion = version });
        yield return Fetch("the final label of an unlabelled image", new FetchImageRequest { ImageId = store.FreeImageId, Label = true });
    }

    static MalformedRequest Next(string what, NextImageRequest request) =>
        Unary("Datastore.NextImage", what, (i, o) => new V1.Datastore.DatastoreClient(i).NextImageAsync(request, o));

    static MalformedRequest OpenImage(string what, OpenImageRequest request) =>
        Unary("Datastore.OpenImage", what, (i, o) => new V1.Datastore.DatastoreClient(i).OpenImageAsync(request, o));

    static MalformedRequest Fetch(string what, FetchImageRequest request) =>
        Streamed("Datastore.FetchImage", what, (i, o) => new V1.Datastore.DatastoreClient(i).FetchImage(request, o));

    Click ClickAt(int axis, int? i = null, int? j = null, int? k = null, bool label = true, int? classIndex = null)
    {
        int[] d = target.SessionDims;
        var click = new Click { Axis = axis, I = i ?? d[0] / 2, J = j ?? d[1] / 2, K = k ?? d[2] / 2 };
        if (classIndex is int c) click.ClassIndex = c;
        else if (label) click.Positive = true;
        return click;
    }

    IEnumerable<MalformedRequest> WorkspaceRequests(Random random)
    {
        string Fresh() => $"malformed-{random.Next():x8}";
        foreach (var (what, name) in Names(target.Workspace))
            yield return Create($"name: {what}", new CreateWorkspaceRequest { Name = name, Model = target.Model });
        foreach (var (what, model) in LookupNames(target.Model))
            yield return Create($"model: {what}", new CreateWorkspaceRequest { Name = Fresh(), Model = model });
        foreach (var (what, strategy) in Strategies)
            yield return Create($"strategy: {what}", new CreateWorkspaceRequest { Name = Fresh(), Model = target.Model, Strategy = strategy });
        foreach (double rate in new[] { double.NaN, -1, double.NegativeInfinity, double.PositiveInfinity })
            yield return Create($"learning_rate {rate}", new CreateWorkspaceRequest { Name = Fresh(), Model = target.Model, LearningRate = rate });

        foreach (var (what, name) in LookupNames(target.Workspace))
        {
            string field = $"workspace: {what}";
            yield return Unary("Workspaces.GetWorkspace", field, (i, o) => Ws(i).GetWorkspaceAsync(new GetWorkspaceRequest { Workspace = name, IncludeChecksum = true }, o));
            yield return Unary("Workspaces.ListVersions", field, (i, o) => Ws(i).ListVersionsAsync(new ListVersionsRequest { Workspace = name }, o));
            yield return Unary("Workspaces.Rollback", field, (i, o) => Ws(i).RollbackAsync(new RollbackRequest { Workspace = name }, o));
            yield return Unary("Workspaces.ResetToSource", field, (i, o) => Ws(i).ResetToSourceAsync(new ResetToSourceRequest { Workspace = name }, o));
            yield return Save(field, name, Fresh());
            yield return Export(field, name, Fresh(), "");
        }
        foreach (long version in new[] { -1, long.MinValue, long.MaxValue, 1_000_000_007 })
            yield return Unary("Workspaces.Rollback", $"version {version}", (i, o) => Ws(i).RollbackAsync(new RollbackRequest { Workspace = target.Workspace, Version = version }, o));
        foreach (var (what, name) in Names(target.Model).Where(v => v.Value.Length > 0)) // an empty name means the default one
            yield return Export($"name: {what}", target.Workspace, Fresh(), name);
    }

    IEnumerable<MalformedRequest> Files(Random random)
    {
        foreach (var (what, path) in Paths(target))
        {
            string field = $"path: {what}";
            yield return Save(field, target.Workspace, path);
            yield return Export(field, target.Workspace, path, "");
            yield return Create($"restore_from: {what}", new CreateWorkspaceRequest { Name = $"malformed-{random.Next():x8}", RestoreFrom = path });
        }
        yield return Create("restore_from: never saved", new CreateWorkspaceRequest { Name = $"malformed-{random.Next():x8}", RestoreFrom = $"never-saved-{random.Next():x8}" });
    }

    static MalformedRequest Create(string what, CreateWorkspaceRequest request) =>
        Unary("Workspaces.CreateWorkspace", what, (i, o) => Ws(i).CreateWorkspaceAsync(request, o));

    static MalformedRequest Save(string what, string workspace, string path) =>
        Unary("Workspaces.SaveCheckpoint", what, (i, o) => Ws(i).SaveCheckpointAsync(new SaveCheckpointRequest { Workspace = workspace, Path = path }, o));

    static MalformedRequest Export(string what, string workspace, string path, string name) =>
        Unary("Workspaces.ExportCheckpoint", what, (i, o) => Ws(i).ExportCheckpointAsync(new ExportCheckpointRequest { Workspace = workspace, Path = path, Name = name }, o));

    // Uploads: a valid 4x4x1 uint8 image, broken in one place each.
    IEnumerable<(string Case, Func<IEnumerable<UploadImageRequest>> Messages)> Uploads(Random random)
    {
        byte[] payload = new byte[16];
        random.NextBytes(payload);
        int chunk = Math.Max(1, Math.Min(64 << 10, target.MaxMessageBytes / 2));
        UploadImageRequest Data(int bytes) => new() { Data = ByteString.CopyFrom(new byte[bytes]) };
        UploadImageRequest Payload() => new() { Data = ByteString.CopyFrom(payload) };
        IEnumerable<UploadImageRequest> Chunks(long bytes)
        {
            for (long sent = 0; sent < bytes; sent += chunk) yield return Data((int)Math.Min(chunk, bytes - sent));
        }
        IEnumerable<UploadImageRequest> With(ImageHeader header, params IEnumerable<UploadImageRequest> data) => [new() { Header = header }, .. data];
        ImageHeader Header(int[] dims, int channels = 1, V1.VoxelType type = V1.VoxelType.Uint8)
        {
            var header = new ImageHeader { Channels = channels, VoxelType = type };
            header.Dims.Add(dims);
            return header;
        }
        ImageHeader Valid() => Header([4, 4, 1]);
        ImageHeader Changed(Action<ImageHeader> change) { var header = Valid(); change(header); return header; }

        return
        [
            ("no message at all", () => []),
            ("data before the header", () => [Payload(), new() { Header = Valid() }]),
            ("two headers", () => With(Valid(), new UploadImageRequest { Header = Valid() }, Payload())),
            ("no dims", () => With(Header([]), Payload())),
            ("two dims", () => With(Header([4, 4]), Payload())),
            ("four dims", () => With(Header([4, 4, 1, 1]), Payload())),
            ("a zero dim", () => With(Header([4, 0, 1]))),
            ("a negative dim", () => With(Header([4, -4, -1]), Payload())),
            ("int32-max dims", () => With(Header([int.MaxValue, int.MaxValue, int.MaxValue]), Payload())),
            ("dims whose product wraps around to 64", () => With(Header([1073807362, 1073676290, 16]), Data(64))),
            ("dims whose product wraps around to 524 288", () => With(Header([1073774592, 1073709057, 16]), Chunks(524_288))),
            ("dims of 2^21 cubed", () => With(Header([1 << 21, 1 << 21, 1 << 21]), Payload())),
            ("zero channels", () => With(Header([4, 4, 1], 0))),
            ("five channels", () => With(Header([4, 4, 1], 5), Data(80))),
            ("int32-max channels", () => With(Header([4, 4, 1], int.MaxValue), Payload())),
            ("no voxel type", () => With(Header([4, 4, 1], 1, V1.VoxelType.Unspecified), Payload())),
            ("voxel type 9", () => With(Header([4, 4, 1], 1, (V1.VoxelType)9), Payload())),
            ("voxel type -1", () => With(Header([4, 4, 1], 1, (V1.VoxelType)(-1)), Payload())),
            ("a matrix of 3 values", () => With(Changed(h => h.IjkToRas.Add([1, 0, 0])), Payload())),
            ("a matrix of 17 values", () => With(Changed(h => h.IjkToRas.Add(Enumerable.Repeat(1.0, 17))), Payload())),
            ("NaN in the matrix", () => With(Changed(h => h.IjkToRas.Add([.. Enumerable.Repeat(0.0, 15), double.NaN])), Payload())),
            ("infinity in the matrix", () => With(Changed(h => h.IjkToRas.Add([double.PositiveInfinity, .. Enumerable.Repeat(0.0, 15)])), Payload())),
            ("a malformed fingerprint", () => With(Changed(h => h.Fingerprint = "xyz"), Payload())),
            ("a fingerprint of other data", () => With(Changed(h => h.Fingerprint = new string('a', 64)), Payload())),
            ("a fingerprint with a trailing newline", () => With(Changed(h => h.Fingerprint = new string('a', 64) + "\n"), Payload())),
            ("a name of 300 characters", () => With(Changed(h => h.Name = new string('n', 300)), Payload())),
            ("a name of 100 000 characters", () => With(Changed(h => h.Name = new string('n', 100_000)), Payload())),
            ("a name of 2 MB", () => With(Changed(h => h.Name = new string('n', 2_000_000)), Payload())),
            ("a name with a newline", () => With(Changed(h => h.Name = "scan\nrm -rf"), Payload())),
            ("a name with a NUL", () => With(Changed(h => h.Name = "scan\0"), Payload())),
            ("a payload cut short", () => With(Valid(), Data(8))),
            ("one byte more than declared", () => With(Valid(), Payload(), Data(1))),
            ("a NaN float32 voxel", () => With(Header([1, 1, 1], 1, V1.VoxelType.Float32), new UploadImageRequest { Data = ByteString.CopyFrom(BitConverter.GetBytes(float.NaN)) })),
            ("an infinite float32 voxel", () => With(Header([1, 1, 1], 1, V1.VoxelType.Float32), new UploadImageRequest { Data = ByteString.CopyFrom(BitConverter.GetBytes(float.PositiveInfinity)) })),
            ("a chunk over the message limit", () => With(Header([target.MaxMessageBytes + 1, 1, 1]), Data(target.MaxMessageBytes + 1))),
        ];
    }

    // The bytes are sent as they are, through a pass-through marshaller, so the server's own decoding meets them.
    static IEnumerable<MalformedRequest> RawBytes(MethodDescriptor method, Random random)
    {
        var cases = UndecodableMessages(random).ToList();
        // Invalid UTF-8 in the first string field (a string field must hold UTF-8).
        if (method.InputType.Fields.InFieldNumberOrder().FirstOrDefault(f => f.FieldType == FieldType.String) is { } text)
            cases.Add(($"invalid UTF-8 in '{text.Name}'", [(byte)((text.FieldNumber << 3) | 2), 2, 0xC3, 0x28]));
        var raw = new Method<byte[], byte[]>(Kind(method), method.Service.FullName, method.Name, PassThrough, PassThrough);
        foreach (var (what, bytes) in cases)
            yield return new(Name(method), $"raw bytes: {what}", (invoker, options) => SendRawAsync(invoker, options, raw, bytes));
    }

    static readonly Marshaller<byte[]> PassThrough = Marshallers.Create(bytes => bytes, bytes => bytes);

    static async Task SendRawAsync(CallInvoker invoker, CallOptions options, Method<byte[], byte[]> method, byte[] bytes)
    {
        switch (method.Type)
        {
            case MethodType.Unary:
                await invoker.AsyncUnaryCall(method, null, options, bytes);
                break;
            case MethodType.ServerStreaming:
                await DrainAsync(invoker.AsyncServerStreamingCall(method, null, options, bytes));
                break;
            default:
                using (var call = invoker.AsyncClientStreamingCall(method, null, options))
                {
                    await WriteAllAsync(call.RequestStream, [bytes]);
                    await call.ResponseAsync;
                }
                break;
        }
    }

    static MethodType Kind(MethodDescriptor method) => (method.IsClientStreaming, method.IsServerStreaming) switch
    {
        (false, false) => MethodType.Unary,
        (false, true) => MethodType.ServerStreaming,
        (true, false) => MethodType.ClientStreaming,
        _ => MethodType.DuplexStreaming,
    };

    static string Name(MethodDescriptor method) => $"{method.Service.Name}.{method.Name}";

    static Segmentation.SegmentationClient Seg(CallInvoker invoker) => new(invoker);

    static V1.Workspaces.WorkspacesClient Ws(CallInvoker invoker) => new(invoker);

    static MalformedRequest Unary<T>(string method, string what, Func<CallInvoker, CallOptions, AsyncUnaryCall<T>> call) =>
        new(method, what, async (invoker, options) => await call(invoker, options));

    static MalformedRequest Streamed<T>(string method, string what, Func<CallInvoker, CallOptions, AsyncServerStreamingCall<T>> call) =>
        new(method, what, (invoker, options) => DrainAsync(call(invoker, options)));

    static async Task DrainAsync<T>(AsyncServerStreamingCall<T> call)
    {
        using (call)
            while (await call.ResponseStream.MoveNext(CancellationToken.None)) { }
    }

    static async Task UploadAsync(CallInvoker invoker, CallOptions options, Func<IEnumerable<UploadImageRequest>> messages)
    {
        using var call = Seg(invoker).UploadImage(options);
        await WriteAllAsync(call.RequestStream, messages());
        await call.ResponseAsync;
    }

    static async Task WriteAllAsync<T>(IClientStreamWriter<T> stream, IEnumerable<T> messages)
    {
        try
        {
            foreach (var message in messages) await stream.WriteAsync(message);
            await stream.CompleteAsync();
        }
        // The server may refuse before the last write; its status then comes with the response.
        catch (Exception e) when (e is RpcException or InvalidOperationException or IOException) { }
    }
}
