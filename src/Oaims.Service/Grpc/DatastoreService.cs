using global::Grpc.Core;
using Google.Protobuf;
using Oaims.Service.Datastore;
using DatastoreImage = Oaims.Service.Datastore.DatastoreImage;
using Oaims.Service.V1;
using Oaims.Service.Sessions;

namespace Oaims.Service.Grpc;

/// <summary>The Datastore service: wire messages in, calls on the <see cref="Sidecar"/>, wire messages out.</summary>
public sealed class DatastoreService(Sidecar sidecar) : V1.Datastore.DatastoreBase
{
    public override Task<ListImagesResponse> ListImages(ListImagesRequest request, ServerCallContext context)
    {
        var response = new ListImagesResponse();
        response.Images.Add(sidecar.ListDatastore().Select(e => ToWire(e.Image, e.Status)));
        response.Strategies.Add(NextImageStrategies.Names);
        return Task.FromResult(response);
    }

    public override async Task<DatastoreSession> NextImage(NextImageRequest request, ServerCallContext context)
    {
        var (session, image) = await sidecar.NextImageAsync(request.Workspace, request.Strategy, request.TargetClass, request.LeaseSeconds, context.CancellationToken);
        return ToWire(session, image);
    }

    public override Task<DatastoreSession> OpenImage(OpenImageRequest request, ServerCallContext context)
    {
        var (session, image) = sidecar.OpenDatastoreImage(request.Workspace, request.ImageId, request.TargetClass, request.LeaseSeconds);
        return Task.FromResult(ToWire(session, image));
    }

    public override async Task FetchImage(FetchImageRequest request, IServerStreamWriter<FileChunk> responseStream, ServerCallContext context)
    {
        string path = sidecar.DatastoreFile(request.ImageId, request.Label, request.LabelVersion);
        await using var file = File.OpenRead(path);
        var buffer = new byte[sidecar.Limits.UploadChunkBytes];
        var first = new FileChunk { FileName = Path.GetFileName(path), Size = file.Length };
        int read;
        while ((read = await file.ReadAsync(buffer, context.CancellationToken)) > 0 || first is not null)
        {
            var chunk = first ?? new FileChunk();
            chunk.Data = ByteString.CopyFrom(buffer, 0, read);
            first = null;
            await responseStream.WriteAsync(chunk, context.CancellationToken);
        }
    }

    DatastoreSession ToWire(SegmentationSession session, DatastoreImage image) =>
        new() { Image = ToWire(image, DatastoreStatus.Leased), Session = Wire.ToWire(session) };

    static V1.DatastoreImage ToWire(DatastoreImage image, DatastoreStatus status) => new()
    {
        Id = image.Id, FileName = image.FileName, LabelVersions = image.LabelVersions,
        Status = status switch
        {
            DatastoreStatus.Leased => DatastoreImageStatus.Leased,
            DatastoreStatus.Labelled => DatastoreImageStatus.Labelled,
            _ => DatastoreImageStatus.Unlabelled,
        },
    };
}
