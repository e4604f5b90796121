using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Oaims.Learning.Checkpoints;
using Oaims.Learning.Data;

namespace Oaims.Cli;

/// <summary>
/// What a results file needs to be traced to its inputs: the code (commit, whether the tree had uncommitted changes, and
/// the code version: <see cref="SourceControl.CodeVersion"/>),
/// the weights of every model used (SHA-256 of model.safetensors) and the data read (<see cref="DataManifest"/>).
/// </summary>
public sealed class RunProvenance(string? commit, bool? dirty, string? codeVersion, string dataRoot)
{
    readonly SortedDictionary<string, string> _models = new(StringComparer.Ordinal);

    public string? Commit { get; } = commit;
    public bool? Dirty { get; } = dirty;
    /// <summary>Null when the code paths had changes of their own (<see cref="SourceControl.CodeVersion"/>).</summary>
    public string? CodeVersion { get; } = codeVersion;
    public DataManifest Data { get; } = new(dataRoot);
    /// <summary>Model name -> SHA-256 of its weights file.</summary>
    public IReadOnlyDictionary<string, string> ModelWeightsSha256 => _models;

    /// <summary>The code as checked out now (capture it when a run starts: HEAD may move while it runs).</summary>
    public static RunProvenance Start(string dataRoot) => new(SourceControl.Commit(), SourceControl.IsDirty(), SourceControl.CodeVersion(), dataRoot);

    /// <summary>The same code with no model or data recorded yet, for the next part of a long run.</summary>
    public RunProvenance Fresh() => new(Commit, Dirty, CodeVersion, Data.Root);

    /// <summary>
    /// The provenance of every run that wrote part of a saved results section: the run that saved it, the earlier parts
    /// it resumed ("earlier_parts") and the rows re-run after it ("reruns"). Null for a part saved before it was recorded.
    /// </summary>
    public static IEnumerable<JsonNode?> OfSection(JsonObject section) =>
        new[] { section["provenance"] }.Concat((section["earlier_parts"] as JsonArray ?? []).Concat(section["reruns"] as JsonArray ?? []).Select(p => p?["provenance"]));

    /// <summary>Records a model the run used, by the hash of its weights file.</summary>
    public void AddModel(string name, string checkpointFolder)
    {
        if (!_models.ContainsKey(name)) _models[name] = WeightsSha256(checkpointFolder);
    }

    /// <summary>SHA-256 of a checkpoint's weights file (its card is written with the weights, so it changes with them).</summary>
    public static string WeightsSha256(string checkpointFolder)
    {
        using var weights = File.OpenRead(Path.Combine(Checkpoint.Locate(checkpointFolder), Checkpoint.WeightsFile));
        return Convert.ToHexStringLower(SHA256.HashData(weights));
    }

    public JsonObject ToJson() => new()
    {
        ["commit"] = Commit,
        ["dirty"] = Dirty,
        ["code_version"] = CodeVersion,
        ["model_weights_sha256"] = new JsonObject(_models.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value))),
        ["data_manifest_sha256"] = Data.Sha256,
        ["data_files"] = Data.Count,
    };
}
