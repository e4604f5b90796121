using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Oaims.Imaging;

namespace Oaims.Service.Tests;

/// <summary>MONAI Label's batch inference (POST/GET/DELETE /batch/infer) as OAIMS's datastore pre-labelling, on the real server.</summary>
public sealed class BatchInferRestTests
{
    static async Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(DatastoreServer server, string query, string parameters = "{}", string model = TinyModels.Brain)
    {
        using var response = await server.Http.PostAsync($"/batch/infer/{model}?{query}", new StringContent(parameters, Encoding.UTF8, "application/json"));
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync()));
    }

    static async Task<JsonObject> StatusAsync(DatastoreServer server) => (await server.Http.GetFromJsonAsync<JsonObject>("/batch/infer"))!;

    // Holds the workspace's worker until released, so a batch started now waits on its first image: the real worker, busy.
    static (SemaphoreSlim Release, Task Held) HoldWorker(DatastoreServer server)
    {
        var release = new SemaphoreSlim(0);
        var held = server.Server.Sidecar.Workspace(TinyModels.Brain).Run(_ => release.Wait(TimeSpan.FromSeconds(30)), CancellationToken.None);
        return (release, held);
    }

    [Fact]
    public async Task A_synchronous_batch_writes_each_images_label_under_original_with_its_geometry_and_answers_per_image()
    {
        await using var server = await DatastoreServer.StartAsync(images: 2);
        VolumeIO.Write(DatastoreServer.Image(7), Path.Combine(server.Folder, "scan.nrrd"), VoxelType.Int16);

        var (status, body) = await PostAsync(server, "images=all&run_sync=true");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["case0", "case1", "scan"], body!.AsObject().Select(e => e.Key).Order());
        foreach (var (id, file) in new[] { ("case0", "case0.nii.gz"), ("case1", "case1.nii.gz"), ("scan", "scan.nrrd") })
        {
            Assert.Equal("written", (string)body[id]!["status"]!);
            var image = VolumeIO.Read(Path.Combine(server.Folder, file));
            var label = VolumeIO.Read(Path.Combine(server.Folder, "labels", "original", file));
            Assert.Equal(image.Dims, label.Dims);
            Assert.Equal(image.IjkToRas.Cast<double>().Select(v => Math.Round(v, 5)), label.IjkToRas.Cast<double>().Select(v => Math.Round(v, 5)));
            Assert.Equal(image.Dims[2], (int)body[id]!["slices"]!);
        }
    }

    [Fact]
    public async Task The_datastore_listing_shows_the_original_tag_of_pre_labelled_images()
    {
        await using var server = await DatastoreServer.StartAsync(images: 2);

        await PostAsync(server, "images=all&run_sync=true");
        var all = (await server.Http.GetFromJsonAsync<JsonObject>("/datastore/?output=all"))!;
        var stats = (await server.Http.GetFromJsonAsync<JsonObject>("/datastore/?output=stats"))!;
        using var label = await server.Http.GetAsync("/datastore/label?label=case1&tag=original");

        Assert.Equal("case0.nii.gz", (string)all["objects"]!["case0"]!["labels"]!["original"]!["info"]!["name"]!);
        Assert.Equal(2, (int)stats["label_tags"]!["original"]!);
        Assert.Equal(File.ReadAllBytes(Path.Combine(server.Folder, "labels", "original", "case1.nii.gz")), await label.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_batch_leaves_final_labels_untouched_and_unlabeled_selects_only_images_without_one()
    {
        await using var server = await DatastoreServer.StartAsync(images: 3, lastLabelled: true);
        string final = Path.Combine(server.Folder, "labels", "final", "case2.nii.gz");
        byte[] before = File.ReadAllBytes(final);

        var (_, unlabeled) = await PostAsync(server, "images=unlabeled&run_sync=true");
        var (_, all) = await PostAsync(server, "images=all&run_sync=true", """{"label_tag": "first-pass"}""");

        Assert.Equal(["case0", "case1"], unlabeled!.AsObject().Select(e => e.Key).Order());
        Assert.Equal(3, all!.AsObject().Count);
        Assert.Equal(before, File.ReadAllBytes(final));
        Assert.True(File.Exists(Path.Combine(server.Folder, "labels", "first-pass", "case2.nii.gz")));
    }

    [Fact]
    public async Task An_unreadable_image_is_reported_in_the_result_and_the_batch_goes_on()
    {
        await using var server = await DatastoreServer.StartAsync(images: 2);
        File.WriteAllBytes(Path.Combine(server.Folder, "broken.nii.gz"), File.ReadAllBytes(Path.Combine(server.Folder, "case0.nii.gz"))[..200]);

        var (status, body) = await PostAsync(server, "run_sync=true");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("failed", (string)body!["broken"]!["status"]!);
        Assert.False(string.IsNullOrWhiteSpace((string?)body["broken"]!["error"]));
        Assert.Equal(("written", "written"), ((string)body["case0"]!["status"]!, (string)body["case1"]!["status"]!));
        Assert.False(File.Exists(Path.Combine(server.Folder, "labels", "original", "broken.nii.gz")));
    }

    [Fact]
    public async Task A_background_batch_answers_at_once_and_its_status_reaches_done_with_every_image()
    {
        await using var server = await DatastoreServer.StartAsync(images: 3);

        var (status, started) = await PostAsync(server, "images=all");
        var report = await StatusAsync(server);
        for (var deadline = DateTime.UtcNow.AddSeconds(60); (string)report["status"]! == "RUNNING" && DateTime.UtcNow < deadline; report = await StatusAsync(server))
            await Task.Delay(50);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("batch_infer", (string)started!["name"]!);
        Assert.Equal((string)started["id"]!, (string)report["id"]!);
        Assert.Equal(("DONE", 3, 3, 0), ((string)report["status"]!, (int)report["done"]!, (int)report["total"]!, (int)report["failed"]!));
        Assert.NotNull(report["end_ts"]);
        Assert.Equal(3, Directory.GetFiles(Path.Combine(server.Folder, "labels", "original")).Length);
    }

    [Fact]
    public async Task A_second_batch_while_one_runs_is_refused_with_429()
    {
        await using var server = await DatastoreServer.StartAsync(images: 2);
        var (release, held) = HoldWorker(server);

        var (first, _) = await PostAsync(server, "images=all");
        var (second, refusal) = await PostAsync(server, "images=all&run_sync=true");
        var running = (await server.Http.GetFromJsonAsync<JsonObject>("/batch/infer?check_if_running=true"))!;
        release.Release();
        await held;

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.TooManyRequests), (first, second));
        Assert.Contains("already running", (string)refusal!["detail"]!);
        Assert.Equal("RUNNING", (string)running["status"]!);
    }

    [Fact]
    public async Task Stopping_a_batch_ends_it_after_the_image_it_is_on_with_status_stopped()
    {
        await using var server = await DatastoreServer.StartAsync(images: 3);
        var (release, held) = HoldWorker(server);
        await PostAsync(server, "images=all");

        var stopping = server.Http.DeleteAsync("/batch/infer");
        // The stop is asked while the first image still waits for the worker.
        for (var deadline = DateTime.UtcNow.AddSeconds(20); server.Server.Sidecar.BatchPrelabelling.Running is { Stopping: false } && DateTime.UtcNow < deadline;)
            await Task.Delay(20);
        release.Release();
        await held;
        using var stopped = await stopping;
        var task = (await stopped.Content.ReadFromJsonAsync<JsonObject>())!;

        Assert.Equal(HttpStatusCode.OK, stopped.StatusCode);
        Assert.Equal(("STOPPED", 1, 3), ((string)task["status"]!, (int)task["done"]!, (int)task["total"]!));
        Assert.Single(Directory.GetFiles(Path.Combine(server.Folder, "labels", "original")));
        Assert.Equal("STOPPED", (string)(await StatusAsync(server))["status"]!);
    }

    [Fact]
    public async Task Status_and_stop_without_a_batch_are_404_with_a_sentence()
    {
        await using var server = await DatastoreServer.StartAsync(images: 1);

        using var status = await server.Http.GetAsync("/batch/infer");
        using var stop = await server.Http.DeleteAsync("/batch/infer");

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (status.StatusCode, stop.StatusCode));
        Assert.Contains("No batch inference", (string)(await status.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!);
    }

    [Theory]
    [InlineData("no-model", "images=all", "{}", HttpStatusCode.NotFound, "no-model")]
    [InlineData(TinyModels.Brain, "images=some", "{}", HttpStatusCode.BadRequest, "unlabeled")]
    [InlineData(TinyModels.Brain, "run_sync=maybe", "{}", HttpStatusCode.BadRequest, "run_sync")]
    [InlineData(TinyModels.Brain, "images=all", """{"label_tag": "final"}""", HttpStatusCode.BadRequest, "final")]
    [InlineData(TinyModels.Brain, "images=all", """{"label_tag": "../up"}""", HttpStatusCode.BadRequest, "not allowed")]
    [InlineData(TinyModels.Brain, "images=all", """{"save_label": "yes"}""", HttpStatusCode.BadRequest, "save_label")]
    [InlineData(TinyModels.Brain, "images=all", "{not json", HttpStatusCode.BadRequest, "JSON")]
    public async Task Bad_batch_requests_get_a_4xx_with_a_sentence_and_start_nothing(string model, string query, string parameters, HttpStatusCode expected, string mentions)
    {
        await using var server = await DatastoreServer.StartAsync(images: 1);

        var (status, body) = await PostAsync(server, query, parameters, model);

        Assert.Equal(expected, status);
        Assert.Contains(mentions, (string)body!["detail"]!);
        Assert.Empty(server.Server.Sidecar.BatchPrelabelling.All);
    }
}
