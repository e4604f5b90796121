using Grpc.Net.Client;
using Oaims.Cli;
using Oaims.Imaging;
using Oaims.Service.V1;
using VoxelType = Oaims.Imaging.VoxelType;

namespace Oaims.Service.Tests;

/// <summary>
/// A real server on loopback started with --datastore on a folder in MONAI Label's layout: tiny 3D phantoms written as
/// NIfTI files (case0.nii.gz, case1.nii.gz, ...), and optionally a label already accepted for the last one, as a lab's
/// existing studies folder would have it.
/// </summary>
public sealed class DatastoreServer : IAsyncDisposable
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"oaims-datastore-{Guid.NewGuid():N}");
    public string Folder => Path.Combine(Root, "studies");
    public RunningSidecar Server { get; private set; } = null!;
    public RemoteClient Client { get; private set; } = null!;
    /// <summary>A plain HTTP client on the REST address (with the token, when there is one).</summary>
    public HttpClient Http { get; private set; } = null!;
    public Service.V1.Datastore.DatastoreClient Datastore { get; private set; } = null!;
    GrpcChannel _channel = null!;

    /// <param name="token">With a token the server also serves MONAI Label's REST API (--http) and requires the token on both.</param>
    public static async Task<DatastoreServer> StartAsync(int images = 3, bool lastLabelled = false, string? token = null)
    {
        var server = new DatastoreServer();
        Directory.CreateDirectory(server.Folder);
        for (int n = 0; n < images; n++)
            VolumeIO.Write(Image(n), Path.Combine(server.Folder, $"case{n}.nii.gz"), VoxelType.Int16);
        if (lastLabelled)
            VolumeIO.Write(TestImages.Brain3D(seed: images - 1).Label, Path.Combine(server.Folder, "labels", "final", $"case{images - 1}.nii.gz"), VoxelType.UInt8);
        server.Server = await SidecarHost.StartAsync(ServerFixture.Options(server.Root) with { DatastoreFolder = server.Folder, HttpAddress = "127.0.0.1:0", Token = token });
        server.Client = new RemoteClient(server.Server.Address, token, retryDeadline: TimeSpan.FromSeconds(20));
        server.Http = new HttpClient { BaseAddress = server.Server.HttpAddress };
        if (token is not null) server.Http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        server._channel = GrpcChannel.ForAddress(server.Server.Address);
        server.Datastore = new Service.V1.Datastore.DatastoreClient(server._channel);
        return server;
    }

    /// <summary>The image written as case{n}: a phantom with a spacing and origin of its own, so geometry mistakes show.</summary>
    public static Volume Image(int n)
    {
        var phantom = TestImages.Brain3D(seed: n).Image;
        var m = Volume.Identity4();
        m[0, 0] = 0.9; m[1, 1] = 1.1; m[2, 2] = 2.5; m[0, 3] = -10 - n; m[1, 3] = 20; m[2, 3] = 5.5;
        return new Volume(phantom.Dims, [phantom.Channels[0].Select(v => MathF.Round(v * 1000)).ToArray()], m);
    }

    public Task<DatastoreSession> NextAsync(string strategy = "first", int leaseSeconds = 0) =>
        Datastore.NextImageAsync(new NextImageRequest { Workspace = TinyModels.Brain, Strategy = strategy, TargetClass = 1, LeaseSeconds = leaseSeconds }).ResponseAsync;

    /// <summary>One click on the opened image, then the commit that stores the label, then the session closed.</summary>
    public async Task<CommitReply> LabelAsync(DatastoreSession opened, Click click)
    {
        await Client.ClickAsync(opened.Session.SessionId, click);
        var commit = await Client.CommitAsync(opened.Session.SessionId);
        await Client.CloseSessionAsync(opened.Session.SessionId);
        return commit;
    }

    public async Task<Dictionary<string, DatastoreImageStatus>> StatusesAsync() =>
        (await Datastore.ListImagesAsync(new ListImagesRequest())).Images.ToDictionary(i => i.Id, i => i.Status);

    public async Task<byte[]> FetchAsync(string imageId, bool label = false, long version = 0)
    {
        using var call = Datastore.FetchImage(new FetchImageRequest { ImageId = imageId, Label = label, LabelVersion = version });
        using var bytes = new MemoryStream();
        while (await call.ResponseStream.MoveNext(CancellationToken.None)) call.ResponseStream.Current.Data.WriteTo(bytes);
        return bytes.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Http.Dispose();
        _channel.Dispose();
        await Server.DisposeAsync();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
