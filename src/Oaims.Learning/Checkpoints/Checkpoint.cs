using Oaims.Imaging;
using System.Security.Cryptography;
using System.Text.Json;
using Oaims.Learning.Network;
using TorchSharp;
using static TorchSharp.torch;

namespace Oaims.Learning.Checkpoints;

/// <summary>
/// A trained model on disk: a folder holding model.safetensors (the weights) and card.json (what they
/// are). Both are written atomically, weights first; the card carries the weights' SHA-256.
/// </summary>
public static class Checkpoint
{
    public const string WeightsFile = "model.safetensors";
    public const string CardFile = "card.json";

    public static void Save(string directory, InteractiveUNet network, ModelCard card)
    {
        byte[] weights = Safetensors.Serialize(StateEntries(network), new Dictionary<string, string> { ["format"] = "pt", ["oaims"] = card.Format });
        AtomicFile.WriteAllBytes(Path.Combine(directory, WeightsFile), weights);
        var stamped = card with { WeightsSha256 = Convert.ToHexStringLower(SHA256.HashData(weights)) };
        AtomicFile.WriteAllText(Path.Combine(directory, CardFile), JsonSerializer.Serialize(stamped, ModelCard.Json));
    }

    /// <summary>
    /// Writes a checkpoint as one durable unit (an export a restart or a batch job relies on): a new version folder and a
    /// pointer switch, so an interrupted write never leaves a card that describes other weights.
    /// </summary>
    public static string SaveDurably(string directory, Action<string> save) => new DurableFolder(directory).Save(save);

    /// <summary>True when the folder is a checkpoint: card and weights side by side, or a durable folder of them.</summary>
    public static bool IsCheckpoint(string directory)
    {
        if (File.Exists(Path.Combine(directory, CardFile))) return true;
        var durable = new DurableFolder(directory);
        return durable.Exists && durable.Open() is { } version && File.Exists(Path.Combine(version.Folder, CardFile));
    }

    /// <summary>The folder holding card and weights: the folder itself, or the version in force of a durable folder.</summary>
    public static string Locate(string directory)
    {
        if (File.Exists(Path.Combine(directory, CardFile))) return directory;
        var durable = new DurableFolder(directory);
        if (!durable.Exists) return directory; // Load names what is missing
        return durable.Open()?.Folder ?? throw new InvalidDataException($"{directory} holds no intact checkpoint: {durable.Diagnose()}.");
    }

    /// <summary>The card of a checkpoint folder (plain or durable), without loading its weights.</summary>
    public static ModelCard ReadCard(string directory)
    {
        string path = Path.Combine(Locate(directory), CardFile);
        return JsonSerializer.Deserialize<ModelCard>(File.ReadAllText(path), ModelCard.Json) ?? throw new InvalidDataException($"{path} is empty.");
    }

    /// <summary>Loads a checkpoint folder onto the given device; errors name the folder and the problem.</summary>
    public static (InteractiveUNet Network, ModelCard Card) Load(string directory, Device? device = null)
    {
        TorchRuntime.EnsureLoaded();
        directory = Locate(directory);
        string cardPath = Path.Combine(directory, CardFile), weightsPath = Path.Combine(directory, WeightsFile);
        if (!File.Exists(cardPath) || !File.Exists(weightsPath))
            throw new FileNotFoundException($"{directory} is not an OAIMS checkpoint: it needs {CardFile} and {WeightsFile}.");
        var card = JsonSerializer.Deserialize<ModelCard>(File.ReadAllText(cardPath), ModelCard.Json)
                   ?? throw new InvalidDataException($"{cardPath} is empty.");
        byte[] weights = File.ReadAllBytes(weightsPath);
        if (card.WeightsSha256 is { } expected && Convert.ToHexStringLower(SHA256.HashData(weights)) != expected)
            throw new InvalidDataException($"{weightsPath} does not match the SHA-256 recorded in its card: the checkpoint is incomplete or was altered.");
        var network = new InteractiveUNet(card.ToConfig(), device);
        LoadState(network, Safetensors.Deserialize(weights, weightsPath).Entries, weightsPath);
        return (network, card);
    }

    public static IEnumerable<Safetensors.Entry> StateEntries(InteractiveUNet network) =>
        network.state_dict().Select(pair => Entry(pair.Key, pair.Value));

    /// <summary>One named tensor as a safetensors entry (copied to the host, row-major float32).</summary>
    public static Safetensors.Entry Entry(string name, Tensor value)
    {
        using var host = value.detach().cpu().contiguous();
        return new Safetensors.Entry(name, host.shape, host.data<float>().ToArray());
    }

    /// <summary>Copies named tensors into the network; every parameter must be present with its exact shape.</summary>
    public static void LoadState(InteractiveUNet network, IReadOnlyList<Safetensors.Entry> entries, string source)
    {
        var byName = entries.ToDictionary(e => e.Name);
        var state = network.state_dict();
        var missing = state.Keys.Where(k => !byName.ContainsKey(k)).ToList();
        if (missing.Count > 0) throw new InvalidDataException($"{source} lacks {missing.Count} parameters of this architecture (first: {missing[0]}).");
        using var noGrad = no_grad();
        foreach (var (name, target) in state)
        {
            var entry = byName[name];
            if (!entry.Shape.SequenceEqual(target.shape))
                throw new InvalidDataException($"{source}: '{name}' has shape [{string.Join(",", entry.Shape)}] but the architecture needs [{string.Join(",", target.shape)}].");
            using var source_ = tensor(entry.Data, entry.Shape, device: target.device);
            target.copy_(source_);
        }
    }
}
