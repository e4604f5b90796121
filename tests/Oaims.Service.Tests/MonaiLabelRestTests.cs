using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Oaims.Imaging;

namespace Oaims.Service.Tests;

/// <summary>MONAI Label's REST API on the real server (Kestrel, HTTP/1.1 on loopback), driven by a plain HttpClient.</summary>
public sealed class MonaiLabelRestTests
{
    static async Task<(JsonObject Params, Volume Label)> InferAsync(DatastoreServer server, string image, object parameters, string model = TinyModels.Brain)
    {
        using var form = new MultipartFormDataContent { { new StringContent(JsonSerializer.Serialize(parameters)), "params" } };
        using var response = await server.Http.PostAsync($"/infer/{model}?image={image}", form);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var reply = await new MultipartReader(response).ReadAsync();
        string path = Path.Combine(server.Root, $"reply-{Guid.NewGuid():N}.nii.gz");
        await File.WriteAllBytesAsync(path, reply.File);
        return (JsonNode.Parse(reply.Params)!.AsObject(), VolumeIO.Read(path));
    }

    [Fact]
    public async Task Info_lists_each_workspace_as_a_2D_model_with_its_labels_and_the_datastore_counts()
    {
        await using var server = await DatastoreServer.StartAsync(images: 3, lastLabelled: true);

        var info = (await server.Http.GetFromJsonAsync<JsonObject>("/info/"))!;

        Assert.Equal(2, (int)info["models"]![TinyModels.Brain]!["dimension"]!);
        Assert.Equal(1, (int)info["models"]![TinyModels.Brain]!["labels"]!["lesion"]!);
        Assert.Equal((3, 1), ((int)info["datastore"]!["total"]!, (int)info["datastore"]!["completed"]!));
        Assert.NotNull(info["strategies"]!["least-confident"]);
    }

    [Fact]
    public async Task A_click_list_extended_by_one_click_is_the_next_step_of_the_same_interaction_and_anything_else_a_new_one()
    {
        await using var server = await DatastoreServer.StartAsync(images: 1);

        var first = await InferAsync(server, "case0", new { foreground = new[] { new[] { 12, 10, 3 } } });
        var second = await InferAsync(server, "case0", new { foreground = new[] { new[] { 12, 10, 3 } }, background = new[] { new[] { 2, 2, 3 } } });
        var changed = await InferAsync(server, "case0", new { foreground = new[] { new[] { 8, 8, 3 } } });

        Assert.Equal((1, true), ((int)first.Params["click_count"]!, (bool)first.Params["new_interaction"]!));
        Assert.Equal((2, false), ((int)second.Params["click_count"]!, (bool)second.Params["new_interaction"]!));
        Assert.Equal((1, true), ((int)changed.Params["click_count"]!, (bool)changed.Params["new_interaction"]!));
        Assert.Equal(VolumeIO.Read(Path.Combine(server.Folder, "case0.nii.gz")).IjkToRas, changed.Label.IjkToRas);
    }

    [Fact]
    public async Task A_request_with_a_point_outside_the_image_is_refused_without_ending_the_images_interaction()
    {
        await using var server = await DatastoreServer.StartAsync(images: 1);
        await InferAsync(server, "case0", new { foreground = new[] { new[] { 12, 10, 3 } } });

        using var bad = new MultipartFormDataContent { { new StringContent("{\"foreground\": [[99, 2, 3]]}"), "params" } };
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Http.PostAsync("/infer/tiny-brain?image=case0", bad)).StatusCode);
        var next = await InferAsync(server, "case0", new { foreground = new[] { new[] { 12, 10, 3 }, new[] { 8, 8, 3 } } });

        Assert.Equal((2, false), ((int)next.Params["click_count"]!, (bool)next.Params["new_interaction"]!));
    }

    [Fact]
    public async Task Saving_a_final_label_commits_it_and_stores_it_in_the_datastore()
    {
        await using var server = await DatastoreServer.StartAsync(images: 2);
        var next = (await (await server.Http.PostAsJsonAsync("/activelearning/first", new { client_id = "test" })).Content.ReadFromJsonAsync<JsonObject>())!;
        var inferred = await InferAsync(server, (string)next["id"]!, new { foreground = new[] { new[] { 12, 10, 3 } } });
        string file = Path.Combine(server.Root, "accepted.nii.gz");
        VolumeIO.Write(inferred.Label, file, VoxelType.UInt8);

        using var form = new MultipartFormDataContent { { new StringContent("{}"), "params" }, { new ByteArrayContent(File.ReadAllBytes(file)), "label", "accepted.nii.gz" } };
        using var saved = await server.Http.PutAsync($"/datastore/label?image={next["id"]}&tag=final", form);
        var reply = (await saved.Content.ReadFromJsonAsync<JsonObject>())!;

        Assert.Equal("case0", (string)next["id"]!);
        Assert.Equal(1, (int)reply["label_version"]!);
        Assert.Equal(inferred.Label.Channels[0], VolumeIO.Read(Path.Combine(server.Folder, "labels", "final", "case0.nii.gz")).Channels[0]);
        var after = (await (await server.Http.PostAsJsonAsync("/activelearning/first", new { })).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("case1", (string)after["id"]!);
    }

    [Theory]
    [InlineData("/infer/tiny-brain?image=case0", """{"foreground": [[99, 2, 0]]}""", HttpStatusCode.BadRequest, "outside")]
    [InlineData("/infer/tiny-brain?image=case0", """{"foreground": [[1, 2, 0], [1, 2, 4]]}""", HttpStatusCode.BadRequest, "same k")]
    [InlineData("/infer/tiny-brain?image=case0", """{"foreground": "here"}""", HttpStatusCode.BadRequest, "list")]
    [InlineData("/infer/tiny-brain?image=case0", """{"foreground": [[1, 2, 0]], "label": "tumour"}""", HttpStatusCode.BadRequest, "lesion")]
    [InlineData("/infer/tiny-brain?image=case0", "{not json", HttpStatusCode.BadRequest, "JSON")]
    [InlineData("/infer/tiny-brain?image=nope", """{"foreground": [[1, 2, 0]]}""", HttpStatusCode.NotFound, "nope")]
    [InlineData("/infer/no-model?image=case0", """{"foreground": [[1, 2, 0]]}""", HttpStatusCode.NotFound, "no-model")]
    public async Task Bad_infer_requests_get_a_4xx_with_a_sentence(string path, string parameters, HttpStatusCode status, string mentions)
    {
        await using var server = await DatastoreServer.StartAsync(images: 1);

        using var form = new MultipartFormDataContent { { new StringContent(parameters), "params" } };
        using var response = await server.Http.PostAsync(path, form);
        string detail = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!;

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(mentions, detail);
    }

    [Fact]
    public async Task Uploading_an_image_adds_it_and_a_damaged_file_or_a_taken_id_is_refused()
    {
        await using var server = await DatastoreServer.StartAsync(images: 1);
        byte[] nifti = File.ReadAllBytes(Path.Combine(server.Folder, "case0.nii.gz"));

        async Task<HttpResponseMessage> Put(string id, byte[] content) =>
            await server.Http.PutAsync($"/datastore/?image={id}", new MultipartFormDataContent { { new ByteArrayContent(content), "file", "scan.nii.gz" } });

        Assert.Equal(HttpStatusCode.OK, (await Put("new-case", nifti)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Put("broken", nifti[..200])).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await Put("case0", nifti)).StatusCode);
        Assert.Equal(nifti, File.ReadAllBytes(Path.Combine(server.Folder, "new-case.nii.gz")));
        Assert.False(File.Exists(Path.Combine(server.Folder, "broken.nii.gz")));
    }

    [Fact]
    public async Task With_a_token_every_endpoint_but_auth_needs_it_as_a_bearer_header()
    {
        await using var server = await DatastoreServer.StartAsync(images: 1, token: "s3cret-token");
        using var anonymous = new HttpClient { BaseAddress = server.Server.HttpAddress };

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/info/")).StatusCode);
        Assert.True((await anonymous.GetFromJsonAsync<JsonObject>("/auth/"))!["enabled"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/info/")).StatusCode);
    }
}

/// <summary>Reads a multipart/form-data reply as MONAI Label's client does: the "params" field and the one file.</summary>
public sealed class MultipartReader(HttpResponseMessage response)
{
    public async Task<(string Params, byte[] File)> ReadAsync()
    {
        var boundary = response.Content.Headers.ContentType!.Parameters.Single(p => p.Name == "boundary").Value!.Trim('"');
        var reader = new Microsoft.AspNetCore.WebUtilities.MultipartReader(boundary, await response.Content.ReadAsStreamAsync());
        string? parameters = null;
        byte[]? file = null;
        while (await reader.ReadNextSectionAsync() is { } section)
        {
            using var bytes = new MemoryStream();
            await section.Body.CopyToAsync(bytes);
            if (section.ContentDisposition!.Contains("filename", StringComparison.Ordinal)) file = bytes.ToArray();
            else parameters = System.Text.Encoding.UTF8.GetString(bytes.ToArray());
        }
        return (parameters ?? throw new InvalidDataException("no params"), file ?? throw new InvalidDataException("no file"));
    }
}
