using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Oaims.Imaging;
using Oaims.Learning.Adaptation;
using Oaims.Service.Datastore;
using Oaims.Service.Grpc;
using Oaims.Service.Sessions;

namespace Oaims.Service.Rest;

/// <summary>
/// MONAI Label's REST API (monailabel/endpoints/*.py) as a second thin facade beside the gRPC services: each endpoint
/// reads the request, calls the same <see cref="Sidecar"/> methods the gRPC services call, and writes MONAI Label's
/// reply shape. A model in MONAI Label's words is a workspace here; every workspace is a 2D click model ("deepgrow").
/// </summary>
public sealed partial class MonaiLabelApi(Sidecar sidecar, TokenInterceptor token, ILogger log)
{
    const string FinalTag = DatastoreFolder.FinalTag;
    readonly RestSessions _sessions = new();

    /// <summary>Maps the endpoints; every one but GET /auth/ needs the bearer token when the server has one.</summary>
    public void Map(WebApplication app)
    {
        app.MapGet("/auth/", Open(Auth));
        app.MapGet("/info/", Guarded(Info));
        app.MapGet("/datastore/", Guarded(Datastore));
        app.MapPut("/datastore/", Guarded(AddImage));
        app.MapGet("/datastore/image", Guarded(DownloadImage));
        app.MapGet("/datastore/label", Guarded(DownloadLabel));
        app.MapPut("/datastore/label", Guarded(SaveLabel));
        app.MapPost("/activelearning/{strategy}", Guarded(NextSample));
        app.MapPost("/infer/{model}", Guarded(Infer));
        MapBatchInfer(app);
        app.MapMethods("/session/{**rest}", ["GET", "PUT", "DELETE"], Guarded(Sessions));
    }

    RequestDelegate Open(Func<HttpContext, Task> handler) => context => RestErrors.Handle(context, () => handler(context), log);

    RequestDelegate Guarded(Func<HttpContext, Task> handler) => context => RestErrors.Handle(context, () =>
    {
        token.Verify(context.Request.Headers.Authorization.FirstOrDefault());
        return handler(context);
    }, log);

    Task Auth(HttpContext context) => Json(context, new JsonObject { ["enabled"] = !string.IsNullOrEmpty(sidecar.Options.Token) });

    Task Info(HttpContext context)
    {
        var models = new JsonObject();
        foreach (var workspace in sidecar.Workspaces)
        {
            var classes = workspace.Model.Task.ClassNames;
            models[workspace.Name] = new JsonObject
            {
                ["type"] = "deepgrow", ["dimension"] = 2, ["version"] = workspace.Version,
                ["labels"] = new JsonObject(classes.Select((name, index) => KeyValuePair.Create(name, (JsonNode?)index)).Skip(1)),
                ["description"] = $"OAIMS workspace of model {workspace.Model.Name}, adapting online ({workspace.Strategy}) from every click and accepted label",
                ["config"] = new JsonObject(),
            };
        }
        var strategies = new JsonObject();
        foreach (string name in NextImageStrategies.Names) strategies[name] = new JsonObject { ["type"] = name };
        var info = new JsonObject
        {
            ["name"] = "OAIMS", ["description"] = "Online-adapting interactive segmentation (MONAI Label API)", ["version"] = Sidecar.Version,
            ["labels"] = new JsonArray(sidecar.Workspaces.SelectMany(w => w.Model.Task.ClassNames.Skip(1)).Distinct().Select(n => (JsonNode?)n).ToArray()),
            ["models"] = models, ["trainers"] = new JsonObject(), ["strategies"] = strategies, ["scoring"] = new JsonObject(), ["train_stats"] = new JsonObject(),
            ["datastore"] = sidecar.Datastore is null ? new JsonObject() : Stats(),
        };
        return Json(context, info);
    }

    Task Datastore(HttpContext context) => Json(context, context.Request.Query["output"].FirstOrDefault() switch
    {
        null or "" or "stats" => Stats(),
        "all" => All(),
        "train" => new JsonArray(sidecar.ListDatastore().Where(e => e.Image.FinalLabelFile is not null).Select(e => (JsonNode?)new JsonObject
        {
            ["image"] = RequireDatastore().ImagePath(e.Image), ["label"] = RequireDatastore().FinalLabelPath(e.Image),
        }).ToArray()),
        var other => throw new ArgumentException($"output={UserInput.Quote(other)} is not known: use stats, all or train."),
    });

    JsonObject Stats()
    {
        var entries = sidecar.ListDatastore();
        int labelled = entries.Count(e => e.Image.FinalLabelFile is not null);
        var tags = new JsonObject { [FinalTag] = labelled };
        var ids = entries.Select(e => e.Image.Id).ToHashSet();
        foreach (string tag in RequireDatastore().LabelTags().Where(t => t != FinalTag))
            if (RequireDatastore().LabelFiles(tag).Keys.Count(ids.Contains) is > 0 and var count) tags[tag] = count;
        return new JsonObject { ["total"] = entries.Count, ["completed"] = labelled, ["label_tags"] = tags };
    }

    // The shape of MONAI Label's datastore_v2.json, built from the folder as it is now.
    JsonObject All()
    {
        var objects = new JsonObject();
        var otherTags = RequireDatastore().LabelTags().Where(t => t != FinalTag).Select(t => (Tag: t, Files: RequireDatastore().LabelFiles(t))).ToList();
        foreach (var (image, _) in sidecar.ListDatastore())
        {
            var labels = new JsonObject();
            if (image.FinalLabelFile is { } label)
                labels[FinalTag] = new JsonObject { ["ext"] = label[image.Id.Length..], ["info"] = new JsonObject { ["name"] = label, ["versions"] = image.LabelVersions } };
            foreach (var (tag, files) in otherTags)
                if (files.GetValueOrDefault(image.Id) is { } tagged)
                    labels[tag] = new JsonObject { ["ext"] = tagged[image.Id.Length..], ["info"] = new JsonObject { ["name"] = tagged } };
            objects[image.Id] = new JsonObject
            {
                ["image"] = new JsonObject { ["ext"] = image.FileName[image.Id.Length..], ["info"] = new JsonObject { ["name"] = image.FileName } },
                ["labels"] = labels,
            };
        }
        return new JsonObject { ["name"] = "oaims", ["description"] = "OAIMS datastore", ["images_dir"] = ".", ["labels_dir"] = DatastoreFolder.LabelsFolder, ["objects"] = objects };
    }

    async Task AddImage(HttpContext context)
    {
        var form = await Form(context);
        var file = form.Files["file"] ?? throw new ArgumentException("PUT /datastore/ needs the image as the multipart file 'file'.");
        string name = Path.GetFileName(file.FileName);
        string extension = DatastoreFolder.ImageExtensions.FirstOrDefault(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase))
                           ?? throw new ArgumentException($"The file {UserInput.Quote(name)} is no {string.Join(", ", DatastoreFolder.ImageExtensions)} image.");
        string id = context.Request.Query["image"].FirstOrDefault() is { Length: > 0 } given ? given : name[..^extension.Length];
        if (file.Length > sidecar.Limits.MaxUploadBytes) throw new LimitExceededException($"The file has {file.Length} bytes; this server accepts at most {sidecar.Limits.MaxUploadBytes}.");
        using var bytes = new MemoryStream();
        await file.CopyToAsync(bytes, context.RequestAborted);
        var image = RequireDatastore().AddImage(id, extension, bytes.ToArray(), new ReadLimits(sidecar.Limits.MaxUploadBytes));
        log.LogInformation("Datastore image {DatastoreImage} added over REST ({Bytes} bytes)", image.Id, file.Length);
        await Json(context, new JsonObject { ["image"] = image.Id });
    }

    Task DownloadImage(HttpContext context) => SendFile(context, sidecar.DatastoreFile(Query(context, "image"), label: false, 0));

    Task DownloadLabel(HttpContext context)
    {
        string id = context.Request.Query["label"].FirstOrDefault() is { Length: > 0 } label ? label : Query(context, "image");
        if (context.Request.Query["tag"].FirstOrDefault() is { Length: > 0 } tag && tag != FinalTag)
            return SendFile(context, RequireDatastore().TaggedLabelPath(RequireDatastore().Image(id), tag));
        return SendFile(context, sidecar.DatastoreFile(id, label: true, 0));
    }

    /// <summary>PUT /datastore/label?tag=final: the commit. The uploaded label becomes the session's mask, post-interaction learning runs, the label is stored.</summary>
    async Task SaveLabel(HttpContext context)
    {
        string imageId = Query(context, "image");
        RequireFinalTag(context);
        var form = await Form(context);
        var file = form.Files["label"] ?? throw new ArgumentException("PUT /datastore/label needs the label as the multipart file 'label'.");
        var parameters = Parameters(form["params"].FirstOrDefault());
        var entry = await SessionFor(imageId, (string?)parameters["model"], null);
        var session = sidecar.Session(entry.SessionId);
        var label = await ReadVolume(file, context.RequestAborted);
        if (!label.Dims.SequenceEqual(session.Dims) || label.ChannelCount != 1)
            throw new ArgumentException($"The label is {string.Join("x", label.Dims)} with {label.ChannelCount} channel(s); image {UserInput.Quote(imageId)} is {string.Join("x", session.Dims)} and needs one channel.");
        var values = label.Channels[0];
        if (values.Any(v => v != MathF.Round(v) || v is < 0 or > 255))
            throw new ArgumentException("The label holds values that are not class numbers (whole numbers 0 to 255).");
        var commit = (await sidecar.CommitAsync(entry.SessionId, _ => { }, context.RequestAborted, acceptedLabels: Array.ConvertAll(values, v => (byte)v))).Value;
        await sidecar.CloseSessionAsync(entry.SessionId, context.RequestAborted);
        _sessions.Remove(imageId);
        await Json(context, new JsonObject
        {
            ["image"] = imageId, ["label"] = imageId, ["model_version"] = commit.ModelVersion,
            ["label_version"] = commit.DatastoreLabelVersion, ["steps_applied"] = commit.Steps.Count(s => s.Applied),
        });
    }

    async Task NextSample(HttpContext context)
    {
        string strategy = (string)context.Request.RouteValues["strategy"]!;
        var parameters = context.Request.ContentLength > 0 ? Parameters(await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted)) : new JsonObject();
        string workspace = (string?)parameters["model"] ?? DefaultWorkspace();
        sidecar.Workspace(workspace); // an unknown workspace is the caller's mistake, not "nothing left"
        NextImageStrategies.Named(strategy);
        if (!sidecar.ListDatastore().Any(e => e.Status == DatastoreStatus.Unlabelled))
        {
            await Json(context, new JsonObject()); // MONAI Label's answer when nothing is left to label
            return;
        }
        var (session, image) = await sidecar.NextImageAsync(workspace, strategy, 1, 0, context.RequestAborted);
        _sessions.Set(image.Id, new RestSessions.Entry(session.Id, workspace, session.TargetClass, null, []));
        await Json(context, new JsonObject
        {
            ["id"] = image.Id, ["name"] = image.FileName, ["path"] = RequireDatastore().ImagePath(image),
            ["strategy"] = new JsonObject { [strategy] = new JsonObject { ["ts"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["client_id"] = (string?)parameters["client_id"] } },
        });
    }

    /// <summary>POST /infer/{model}: the clicks of one slice; the new click is an MI step of the image's interaction, anything else a new interaction.</summary>
    async Task Infer(HttpContext context)
    {
        string model = (string)context.Request.RouteValues["model"]!;
        string imageId = Query(context, "image");
        var form = context.Request.HasFormContentType ? await Form(context) : null;
        var parameters = Parameters(form?["params"].FirstOrDefault());
        var workspace = sidecar.Workspace(model);
        int targetClass = ClassOf(workspace.Model.Task.ClassNames, (string?)parameters["label"]);
        var clicks = Listed(parameters, "foreground", true).Concat(Listed(parameters, "background", false)).ToList();
        if (clicks.Count == 0) throw new ArgumentException("OAIMS's models segment from clicks: send at least one point in params 'foreground' (or 'background') as [i, j, k].");
        int slice = clicks[0].K;
        if (clicks.Any(c => c.K != slice) || parameters["slice"] is JsonValue given && given.TryGetValue(out int givenSlice) && givenSlice != slice)
            throw new ArgumentException($"A 2D model works on one slice at a time: every point needs the same k (the slice), got k = {string.Join(", ", clicks.Select(c => c.K).Distinct())}.");

        var entry = _sessions.Find(imageId);
        bool same = entry is not null && entry.Workspace == model && entry.TargetClass == targetClass && entry.Slice == slice && sidecar.Sessions.IsOpen(entry.SessionId);
        ListedClick? next = same ? ClickListChange.NewClick(entry!.Clicks, clicks) : null;
        bool newInteraction = next is null;
        // A bad point must not cost the viewer its interaction: check the points on the open session before replacing it.
        if (newInteraction && entry is not null && sidecar.Sessions.IsOpen(entry.SessionId))
            foreach (var c in clicks) sidecar.Session(entry.SessionId).Validate(new UserClick(2, c.I, c.J, c.K, c.Foreground, null));
        if (newInteraction) entry = await SessionFor(imageId, model, targetClass, fresh: true);
        var session = sidecar.Session(entry!.SessionId);
        IReadOnlyList<ListedClick> toApply = next is { } one ? [one] : clicks;
        var validated = toApply.Select(c => session.Validate(new UserClick(2, c.I, c.J, c.K, c.Foreground, null))).ToList();

        var steps = new List<AdaptationStep>();
        ClickResult? last = null;
        for (int n = 0; n < validated.Count; n++)
        {
            // MONAI Label answers once per request: the refined mask is the one that counts, the first is not sent.
            last = (await sidecar.OnSessionAsync(session.Id, s => s.Click(validated[n], steps.Add, showFirstMask: _ => { }), context.RequestAborted)).Value;
            // What the session now holds, so a request that fails half-way is compared with what was applied.
            _sessions.Set(imageId, entry with { Slice = slice, Clicks = newInteraction ? clicks.Take(n + 1).ToList() : clicks });
        }
        var labels = (await sidecar.OnSessionAsync(session.Id, s => s.CopyLabels(), context.RequestAborted)).Value;
        var reply = new JsonObject
        {
            ["label_names"] = new JsonObject(workspace.Model.Task.ClassNames.Select((n, i) => KeyValuePair.Create(n, (JsonNode?)i))),
            ["model_version"] = last!.ModelVersion, ["click_count"] = last.ClickCount, ["new_interaction"] = newInteraction,
            ["steps"] = new JsonArray(steps.Select(st => (JsonNode?)new JsonObject { ["kind"] = st.Kind, ["loss"] = double.IsFinite(st.Loss) ? st.Loss : null, ["version"] = st.Version, ["applied"] = st.Applied }).ToArray()),
        };
        await SendInferReply(context, reply, LabelFile(labels, session));
    }

    Task Sessions(HttpContext context) =>
        throw new NotOfferedException("OAIMS does not keep MONAI Label's upload sessions: add the image to the datastore (PUT /datastore/) and name it in /infer/{model}?image=ID.");

    // The session a REST request works in: the image's current one (when it is open and, for infer, in the same
    // workspace), or a new one that leases the image.
    async Task<RestSessions.Entry> SessionFor(string imageId, string? workspace, int? targetClass, bool fresh = false)
    {
        var entry = _sessions.Find(imageId);
        bool usable = entry is not null && sidecar.Sessions.IsOpen(entry.SessionId);
        if (usable && !fresh && (workspace is null || entry!.Workspace == workspace)) return entry!;
        if (usable) await sidecar.CloseSessionAsync(entry!.SessionId, CancellationToken.None);
        _sessions.Remove(imageId);
        var (session, _) = sidecar.OpenDatastoreImage(workspace ?? DefaultWorkspace(), imageId, targetClass ?? 1, 0);
        var opened = new RestSessions.Entry(session.Id, session.Workspace.Name, session.TargetClass, null, []);
        _sessions.Set(imageId, opened);
        return opened;
    }

    string DefaultWorkspace() => sidecar.Workspaces.FirstOrDefault()?.Name ?? throw new InvalidOperationException("The server has no workspace to label with: start it with --models.");

    DatastoreFolder RequireDatastore() =>
        sidecar.Datastore ?? throw new InvalidOperationException("This server has no datastore: start it with --datastore DIR to hand out images and keep their labels.");

    static void RequireFinalTag(HttpContext context)
    {
        if (context.Request.Query["tag"].FirstOrDefault() is { Length: > 0 } tag && tag != FinalTag)
            throw new ArgumentException($"OAIMS keeps final labels only (tag={FinalTag}), not {UserInput.Quote(tag)}.");
    }

    static int ClassOf(IReadOnlyList<string> classNames, string? label)
    {
        if (string.IsNullOrEmpty(label)) return 1;
        int index = classNames.ToList().IndexOf(label);
        return index >= 1 ? index : throw new ArgumentException($"Label {UserInput.Quote(label)} is not one of the model's: {string.Join(", ", classNames.Skip(1))}.");
    }

    static IEnumerable<ListedClick> Listed(JsonObject parameters, string key, bool foreground)
    {
        if (parameters[key] is null) yield break;
        if (parameters[key] is not JsonArray points) throw new ArgumentException($"params '{key}' must be a list of [i, j, k] points.");
        foreach (var point in points)
        {
            // Viewers may send voxel centres as floats: the nearest voxel is meant.
            var ijk = point is JsonArray { Count: 3 } xyz
                ? xyz.Select(v => v is JsonValue value && value.TryGetValue(out double d) && Math.Abs(d) < 1e9 ? (int?)Math.Round(d) : null).ToArray()
                : [];
            if (ijk.Length != 3 || ijk.Any(v => v is null))
                throw new ArgumentException($"Each point in params '{key}' is [i, j, k], three voxel indices; got {UserInput.Quote(point?.ToJsonString())}.");
            yield return new ListedClick(ijk[0]!.Value, ijk[1]!.Value, ijk[2]!.Value, foreground);
        }
    }

    static JsonObject Parameters(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return new JsonObject();
        try { return JsonNode.Parse(json) as JsonObject ?? throw new ArgumentException("params must be a JSON object."); }
        catch (JsonException e) { throw new ArgumentException($"params is not valid JSON ({e.Message})."); }
    }

    static string Query(HttpContext context, string name) =>
        context.Request.Query[name].FirstOrDefault() is { Length: > 0 } value ? value : throw new ArgumentException($"The request needs the query parameter '{name}'.");

    static async Task<IFormCollection> Form(HttpContext context)
    {
        if (!context.Request.HasFormContentType) throw new ArgumentException("The request must be multipart/form-data.");
        try { return await context.Request.ReadFormAsync(context.RequestAborted); }
        catch (InvalidDataException e) { throw new ArgumentException($"The multipart form could not be read ({e.Message})."); }
    }

    static async Task<Volume> ReadVolume(IFormFile file, CancellationToken cancellation)
    {
        string name = Path.GetFileName(file.FileName);
        string extension = VolumeIO.Extension(name) is { Length: > 0 } ext && VolumeIO.ReadableExtensions.Contains(ext) ? ext : ".nii.gz";
        string temp = Path.Combine(Path.GetTempPath(), $"oaims-rest-{Guid.NewGuid():N}{extension}");
        try
        {
            await using (var stream = File.Create(temp)) await file.CopyToAsync(stream, cancellation);
            return VolumeIO.Read(temp);
        }
        finally { File.Delete(temp); }
    }

    static byte[] LabelFile(byte[] labels, SegmentationSession session)
    {
        string temp = Path.Combine(Path.GetTempPath(), $"oaims-rest-{Guid.NewGuid():N}.nii.gz");
        try
        {
            VolumeIO.Write(new Volume(session.Dims, [Array.ConvertAll(labels, b => (float)b)], session.IjkToRas), temp, VoxelType.UInt8);
            return File.ReadAllBytes(temp);
        }
        finally { File.Delete(temp); }
    }

    // MONAI Label's reply: output=json the params, output=image the label file, otherwise multipart with both.
    static async Task SendInferReply(HttpContext context, JsonObject parameters, byte[] label)
    {
        switch (context.Request.Query["output"].FirstOrDefault())
        {
            case "json":
                await Json(context, parameters);
                return;
            case "image":
                context.Response.ContentType = "application/octet-stream";
                context.Response.Headers.ContentDisposition = "attachment; filename=\"label.nii.gz\"";
                await context.Response.Body.WriteAsync(label, context.RequestAborted);
                return;
        }
        using var multipart = new MultipartFormDataContent();
        multipart.Add(new StringContent(parameters.ToJsonString(), System.Text.Encoding.UTF8, "application/json"), "params");
        var file = new ByteArrayContent(label);
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        multipart.Add(file, "image", "label.nii.gz");
        context.Response.ContentType = multipart.Headers.ContentType!.ToString();
        await multipart.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    static async Task SendFile(HttpContext context, string path)
    {
        context.Response.ContentType = "application/octet-stream";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"{Path.GetFileName(path)}\"";
        await using var file = File.OpenRead(path);
        context.Response.ContentLength = file.Length;
        await file.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    static Task Json(HttpContext context, JsonNode body)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString());
    }
}
