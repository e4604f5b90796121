using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Oaims.Service.Datastore;

namespace Oaims.Service.Rest;

// MONAI Label's batch inference (monailabel/endpoints/batch_infer.py) as OAIMS's batch pre-labelling of the datastore:
// POST starts it (one at a time, 429 while one runs), GET reports it, DELETE stops it between images.
public sealed partial class MonaiLabelApi
{
    const string BatchTaskName = "batch_infer";
    /// <summary>Lines of a task's details kept, as MONAI Label keeps the last 20 lines of its task's output.</summary>
    const int DetailLines = 20;

    void MapBatchInfer(WebApplication app)
    {
        app.MapPost("/batch/infer/{model}", Guarded(BatchInfer));
        app.MapGet("/batch/infer", Guarded(BatchInferStatus));
        app.MapDelete("/batch/infer", Guarded(StopBatchInfer));
    }

    /// <summary>POST /batch/infer/{model}?images=all|labeled|unlabeled&amp;run_sync=false, JSON body: params (label_tag, save_label).</summary>
    async Task BatchInfer(HttpContext context)
    {
        string model = (string)context.Request.RouteValues["model"]!;
        string images = context.Request.Query["images"].FirstOrDefault() is { Length: > 0 } given ? given : "all";
        bool runSync = Flag(context, "run_sync");
        string body = await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted);
        var parameters = body.Trim() == "null" ? new JsonObject() : Parameters(body);
        var request = new PrelabelRequest(model, images,
            Optional(parameters, "label_tag", "a string", v => v.GetValue<string>()) ?? DatastoreFolder.OriginalTag,
            Optional(parameters, "save_label", "true or false", v => (bool?)v.GetValue<bool>()) ?? true);
        RequireDatastore();
        var task = sidecar.StartBatchPrelabelling(request);
        if (!runSync)
        {
            await Json(context, TaskJson(task));
            return;
        }
        // MONAI Label's synchronous run answers with the result of each image, keyed by image id.
        await task.Completion;
        await Json(context, ResultsJson(task.Results));
    }

    /// <summary>GET /batch/infer?all=false&amp;check_if_running=false: the latest task (all: every kept one; check_if_running: the running one).</summary>
    Task BatchInferStatus(HttpContext context)
    {
        var batches = sidecar.BatchPrelabelling;
        if (Flag(context, "check_if_running"))
            return Json(context, TaskJson(batches.Running ?? throw new NotFoundException("No batch inference is running.")));
        var all = batches.All;
        if (all.Count == 0) throw new NotFoundException("No batch inference has run on this server yet: start one with POST /batch/infer/{model}.");
        return Json(context, Flag(context, "all") ? new JsonArray(all.Select(t => (JsonNode?)TaskJson(t)).ToArray()) : TaskJson(all[^1]));
    }

    /// <summary>DELETE /batch/infer: stops the running task after the image it is on and answers with it (status STOPPED).</summary>
    async Task StopBatchInfer(HttpContext context) => await Json(context, TaskJson(await sidecar.BatchPrelabelling.StopAsync()));

    static JsonObject TaskJson(PrelabelTask task)
    {
        var results = task.Results;
        var json = new JsonObject
        {
            ["id"] = task.Id, ["name"] = BatchTaskName, ["status"] = task.Status.ToString().ToUpperInvariant(),
            ["request"] = new JsonObject
            {
                ["model"] = task.Request.Workspace, ["images"] = task.Request.Images,
                ["label_tag"] = task.Request.LabelTag, ["save_label"] = task.Request.SaveLabel,
            },
            ["start_ts"] = Timestamp(task.Started), ["end_ts"] = task.Ended is { } ended ? Timestamp(ended) : null,
            ["done"] = results.Count, ["total"] = task.ImageIds.Count, ["failed"] = results.Count(r => r.Status == PrelabelledImage.Failed),
            ["result"] = ResultsJson(results),
            ["details"] = new JsonArray(results.TakeLast(DetailLines).Select(r => (JsonNode?)(r.Error is null
                ? $"{r.ImageId}: {r.Status} ({r.Slices} slices, model version {r.ModelVersion})"
                : $"{r.ImageId}: {r.Status}: {r.Error}")).ToArray()),
        };
        if (task.Error is { } error) json["error"] = error;
        return json;
    }

    static JsonObject ResultsJson(IReadOnlyList<PrelabelledImage> results) =>
        new(results.Select(r => KeyValuePair.Create(r.ImageId, (JsonNode?)new JsonObject
        {
            ["status"] = r.Status, ["label"] = r.LabelFile, ["slices"] = r.Slices, ["model_version"] = r.ModelVersion, ["error"] = r.Error,
        })));

    // MONAI Label's task timestamps: the server's local time, to the second.
    static string Timestamp(DateTimeOffset time) => time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A true/false query flag as FastAPI reads one (true/false, 1/0, yes/no, on/off); absent is false.</summary>
    static bool Flag(HttpContext context, string name) => context.Request.Query[name].FirstOrDefault()?.ToLowerInvariant() switch
    {
        null or "" or "false" or "0" or "no" or "off" => false,
        "true" or "1" or "yes" or "on" => true,
        var other => throw new ArgumentException($"{name}={UserInput.Quote(other)} is not a flag: use true or false."),
    };

    static T? Optional<T>(JsonObject parameters, string key, string expected, Func<JsonNode, T> read)
    {
        if (parameters[key] is not { } value) return default;
        try { return read(value); }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new ArgumentException($"params '{key}' must be {expected}, got {UserInput.Quote(value.ToJsonString())}.");
        }
    }
}
