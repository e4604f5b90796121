using Grpc.Core;
using Grpc.Net.Client;
using Oaims.Cli;
using Oaims.Cli.Reliability;
using Oaims.Imaging;
using Oaims.Service.V1;
using VoxelType = Oaims.Imaging.VoxelType;

namespace Oaims.Service.Tests;

/// <summary>The real `oaims serve --datastore` process, killed with SIGKILL while it commits labels in a loop.</summary>
public sealed class DatastoreKillTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), $"oaims-datastore-kill-{Guid.NewGuid():N}");

    [Fact]
    public async Task Killing_the_server_during_label_writes_leaves_a_whole_label_that_is_one_of_the_kept_versions()
    {
        string studies = Path.Combine(_root, "studies");
        Directory.CreateDirectory(studies);
        VolumeIO.Write(DatastoreServer.Image(0), Path.Combine(studies, "case0.nii.gz"), VoxelType.Int16);
        string[] flags = ["--models", TinyModels.Write(Path.Combine(_root, "models")), "--checkpoints", Path.Combine(_root, "checkpoints"),
                          "--datastore", studies, "--device", "cpu", "--threads", "1", "--log-level", "Error"];
        var server = await ServerProcess.StartAsync(flags);
        int answered = 0;
        using (var client = new RemoteClient(server.Address))
        using (var channel = GrpcChannel.ForAddress(server.Address))
        {
            var datastore = new Service.V1.Datastore.DatastoreClient(channel);
            var loop = Task.Run(async () =>
            {
                for (int n = 0; ; n++)
                {
                    var opened = await datastore.OpenImageAsync(new OpenImageRequest { Workspace = TinyModels.Brain, ImageId = "case0", TargetClass = 1 });
                    await client.ClickAsync(opened.Session.SessionId, new Click { Axis = 2, I = 4 + n % 16, J = 4 + n % 12, K = n % 6, Positive = true });
                    await client.CommitAsync(opened.Session.SessionId);
                    answered++;
                    await client.CloseSessionAsync(opened.Session.SessionId);
                }
            });
            while (answered < 2 && !loop.IsCompleted) await Task.Delay(20);
            await Task.Delay(Random.Shared.Next(0, 400)); // somewhere inside a later commit's writes
            await server.KillHardAsync();
            await Assert.ThrowsAnyAsync<RpcException>(() => loop);
        }

        string final = Path.Combine(studies, "labels", "final", "case0.nii.gz");
        var label = VolumeIO.Read(final).Channels[0];
        string versions = Path.Combine(studies, ".oaims", "labels", "case0");
        var kept = new DurableFolder(versions).VersionNames();
        Assert.True(kept.Count >= answered, $"{answered} commits answered but {kept.Count} label versions kept");
        Assert.Contains(kept, v => VolumeIO.Read(LabelFile(versions, v)).Channels[0].SequenceEqual(label));

        await using var restarted = await ServerProcess.StartAsync(flags);
        using var again = GrpcChannel.ForAddress(restarted.Address);
        var listed = (await new Service.V1.Datastore.DatastoreClient(again).ListImagesAsync(new ListImagesRequest())).Images.Single();
        Assert.Equal(DatastoreImageStatus.Labelled, listed.Status);
        Assert.Null(new DurableFolder(versions).Diagnose());
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(versions), e => e.EndsWith(".tmp", StringComparison.Ordinal));
        Assert.DoesNotContain(Directory.EnumerateFiles(Path.GetDirectoryName(final)!), e => e.EndsWith(".tmp", StringComparison.Ordinal));
    }

    static string LabelFile(string versions, string version) => Path.Combine(versions, version, "label.nii.gz");

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
