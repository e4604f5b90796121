using System.Text.Json;
using Grpc.Core;
using Oaims.Imaging;
using Oaims.Learning.Inference;
using Oaims.Service.V1;

namespace Oaims.Service.Tests;

/// <summary>The datastore over gRPC on a real server: images handed out one per session, labels kept in MONAI Label's layout.</summary>
public sealed class DatastoreTests
{
    static Click Positive(int i, int j, int k) => new() { Axis = 2, I = i, J = j, K = k, Positive = true };

    [Fact]
    public async Task An_existing_MONAI_Label_folder_is_served_as_it_is_and_nothing_is_written_among_its_images()
    {
        await using var server = await DatastoreServer.StartAsync(images: 3, lastLabelled: true);
        var before = Directory.GetFiles(server.Folder).Order().ToArray();

        var statuses = await server.StatusesAsync();

        Assert.Equal(["case0", "case1", "case2"], statuses.Keys.Order());
        Assert.Equal(DatastoreImageStatus.Unlabelled, statuses["case0"]);
        Assert.Equal(DatastoreImageStatus.Labelled, statuses["case2"]);
        Assert.Equal(before, Directory.GetFiles(server.Folder).Order().ToArray());
    }

    [Fact]
    public async Task Next_first_hands_out_unlabelled_images_in_id_order_and_skips_labelled_and_leased_ones()
    {
        await using var server = await DatastoreServer.StartAsync(images: 3, lastLabelled: true);

        var first = await server.NextAsync();
        var second = await server.NextAsync();

        Assert.Equal(("case0", "case1"), (first.Image.Id, second.Image.Id));
        Assert.Equal(DatastoreImageStatus.Leased, (await server.StatusesAsync())["case0"]);
        await Refusals.Expect(StatusCode.NotFound, () => server.NextAsync());
    }

    [Fact]
    public async Task Two_sessions_asking_at_the_same_time_never_lease_the_same_image()
    {
        await using var server = await DatastoreServer.StartAsync(images: 3);

        var asks = Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            try { return (await server.NextAsync("random")).Image.Id; }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound) { return null; }
        })).ToArray();
        var handedOut = (await Task.WhenAll(asks)).OfType<string>().ToList();

        Assert.Equal(3, handedOut.Count);
        Assert.Equal(3, handedOut.Distinct().Count());
    }

    [Fact]
    public async Task A_chosen_image_held_by_another_session_is_refused_until_that_session_closes()
    {
        await using var server = await DatastoreServer.StartAsync(images: 1);
        var held = await server.NextAsync();
        var open = () => server.Datastore.OpenImageAsync(new OpenImageRequest { Workspace = TinyModels.Brain, ImageId = "case0", TargetClass = 1 }).ResponseAsync;

        await Refusals.Expect(StatusCode.FailedPrecondition, open);
        await server.Client.CloseSessionAsync(held.Session.SessionId);

        Assert.Equal("case0", (await open()).Image.Id);
    }

    [Fact]
    public async Task An_expired_lease_returns_the_image_to_the_pool()
    {
        await using var server = await DatastoreServer.StartAsync(images: 1);
        await server.NextAsync(leaseSeconds: 1);

        await Task.Delay(TimeSpan.FromSeconds(2.5));

        Assert.Equal(DatastoreImageStatus.Unlabelled, (await server.StatusesAsync())["case0"]);
        Assert.Equal("case0", (await server.NextAsync()).Image.Id);
    }

    [Fact]
    public async Task Commit_stores_the_mask_as_the_final_label_with_the_image_geometry_and_a_click_log()
    {
        await using var server = await DatastoreServer.StartAsync(images: 2);
        var next = await server.NextAsync();
        string id = next.Session.SessionId;
        await server.Client.ClickAsync(id, Positive(12, 10, 3));
        await server.Client.ClickAsync(id, Positive(8, 6, 3));
        await server.Client.ClickAsync(id, new Click { Axis = 2, I = 2, J = 2, K = 1, Positive = false });

        var commit = await server.Client.CommitAsync(id);
        var mask = await server.Client.GetMaskAsync(id);

        Assert.Equal(1, commit.Summary.DatastoreLabelVersion);
        string final = Path.Combine(server.Folder, "labels", "final", "case0.nii.gz");
        var label = VolumeIO.Read(final);
        Assert.Equal(mask.Labels, label.Channels[0].Select(v => (byte)v).ToArray());
        Assert.Equal(VolumeIO.Read(Path.Combine(server.Folder, "case0.nii.gz")).IjkToRas, label.IjkToRas);
        Assert.Equal(File.ReadAllBytes(final), await server.FetchAsync("case0", label: true));

        using var log = JsonDocument.Parse(File.ReadAllText(Path.Combine(server.Folder, ".oaims", "labels", "case0", "v000001", "clicks.json")));
        var clicks = log.RootElement.GetProperty("clicks").EnumerateArray().ToList();
        Assert.Equal(3, clicks.Count);
        Assert.Equal(1.0, clicks[1].GetProperty("dice_to_final").GetDouble()); // slice 3 was last changed by click 2
        Assert.All(clicks, c => Assert.InRange(c.GetProperty("dice_to_final").GetDouble(), 0, 1));
        Assert.Equal(commit.Summary.ModelVersion, log.RootElement.GetProperty("model_version_after_commit").GetInt64());
        Assert.Equal(commit.Steps.Count, log.RootElement.GetProperty("commit_steps").GetArrayLength());
        await server.Client.CloseSessionAsync(id);
        Assert.Equal(DatastoreImageStatus.Labelled, (await server.StatusesAsync())["case0"]);
    }

    [Fact]
    public async Task A_second_commit_on_an_image_keeps_the_earlier_label_as_version_1()
    {
        await using var server = await DatastoreServer.StartAsync(images: 1);
        await server.LabelAsync(await server.NextAsync(), Positive(12, 10, 3));
        byte[] version1 = await server.FetchAsync("case0", label: true);

        var again = await server.Datastore.OpenImageAsync(new OpenImageRequest { Workspace = TinyModels.Brain, ImageId = "case0", TargetClass = 1 });
        var commit = await server.LabelAsync(again, Positive(4, 4, 0));

        Assert.Equal(2, commit.Summary.DatastoreLabelVersion);
        var listed = (await server.Datastore.ListImagesAsync(new ListImagesRequest())).Images.Single();
        Assert.Equal((DatastoreImageStatus.Labelled, 2), (listed.Status, listed.LabelVersions));
        Assert.Equal(VolumeIO.Read(WriteTemp(version1)).Channels[0], VolumeIO.Read(WriteTemp(await server.FetchAsync("case0", label: true, version: 1))).Channels[0]);
        Assert.NotEqual(version1, await server.FetchAsync("case0", label: true));
    }

    [Fact]
    public async Task The_labels_MONAI_Label_reads_are_recorded_in_its_datastore_json_with_a_checksum()
    {
        await using var server = await DatastoreServer.StartAsync(images: 1);
        await server.LabelAsync(await server.NextAsync(), Positive(12, 10, 3));

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(server.Folder, "datastore_v2.json")));
        var final = json.RootElement.GetProperty("objects").GetProperty("case0").GetProperty("labels").GetProperty("final");
        Assert.Equal(".nii.gz", final.GetProperty("ext").GetString());
        Assert.StartsWith("SHA256:", final.GetProperty("info").GetProperty("checksum").GetString());
    }

    [Fact]
    public async Task FetchImage_streams_the_image_file_unchanged()
    {
        await using var server = await DatastoreServer.StartAsync(images: 1);

        Assert.Equal(File.ReadAllBytes(Path.Combine(server.Folder, "case0.nii.gz")), await server.FetchAsync("case0"));
    }

    [Fact]
    public async Task Least_confident_hands_out_the_image_whose_click_free_proposal_the_model_is_least_sure_of()
    {
        await using var server = await DatastoreServer.StartAsync(images: 3);
        var workspace = server.Server.Sidecar.Workspace(TinyModels.Brain);
        var confidence = new Dictionary<string, double>();
        foreach (int n in new[] { 0, 1, 2 })
            confidence[$"case{n}"] = (await workspace.Run(l => ProposalConfidence.Of(l, VolumeIO.Read(Path.Combine(server.Folder, $"case{n}.nii.gz"))), CancellationToken.None)).Value;

        var next = await server.NextAsync("least-confident");

        Assert.Equal(confidence.MinBy(c => c.Value).Key, next.Image.Id);
    }

    [Fact]
    public async Task Unknown_images_strategies_and_label_versions_are_refused_with_a_sentence()
    {
        await using var server = await DatastoreServer.StartAsync(images: 1);

        await Refusals.Expect(StatusCode.InvalidArgument, () => server.NextAsync("hardest"));
        await Refusals.Expect(StatusCode.NotFound, () => server.FetchAsync("../case0"));
        await Refusals.Expect(StatusCode.NotFound, () => server.FetchAsync("case0", label: true));
        await Refusals.Expect(StatusCode.NotFound, () => server.FetchAsync("case0", label: true, version: 3));
        await Refusals.Expect(StatusCode.InvalidArgument, () => server.FetchAsync("case0", label: true, version: -1));
    }

    static string WriteTemp(byte[] nifti)
    {
        string path = Path.Combine(Path.GetTempPath(), $"oaims-label-{Guid.NewGuid():N}.nii.gz");
        File.WriteAllBytes(path, nifti);
        return path;
    }
}

/// <summary>A server started without --datastore says how to get one.</summary>
[Collection("server")]
public sealed class NoDatastoreTests(ServerFixture server)
{
    [Fact]
    public async Task Datastore_calls_on_a_server_without_a_datastore_are_refused_with_how_to_start_one()
    {
        var datastore = new Service.V1.Datastore.DatastoreClient(server.Channel);

        var refusal = await Refusals.Expect(StatusCode.FailedPrecondition, () => datastore.ListImagesAsync(new ListImagesRequest()).ResponseAsync);

        Assert.Contains("--datastore", refusal.Status.Detail);
    }
}
