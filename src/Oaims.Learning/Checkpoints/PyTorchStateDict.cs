using System.Collections;
using Oaims.Learning.Network;
using TorchSharp;
using TorchSharp.PyBridge;

namespace Oaims.Learning.Checkpoints;

/// <summary>
/// Exchanges weights with PyTorch: a state dict saved by torch.save(model.state_dict(), path) for the same
/// architecture (parameter names e1.conv.conv1.weight ... outputs.bias, as in the reference code).
/// </summary>
public static class PyTorchStateDict
{
    public static void Export(InteractiveUNet network, string path)
    {
        string temp = path + ".tmp";
        network.save_py(temp);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Loads a PyTorch state dict into a network of the matching architecture; every parameter must match.</summary>
    public static void Import(InteractiveUNet network, string path)
    {
        var entries = Read(path);
        string name = Path.GetFileName(path), expected = WidthsOf(network.Config);
        if (Widths(entries) is { } found && found != expected)
            throw new InvalidDataException($"{name} is not a PyTorch state dict of this architecture: it holds widths {found}, not {expected}.");
        var unexpected = entries.Select(e => e.Name).Except(network.state_dict().Keys).ToList();
        if (unexpected.Count > 0)
            throw new InvalidDataException($"{name} is not a PyTorch state dict of this architecture ({expected}): it holds {unexpected.Count} parameters the architecture lacks (first: {unexpected[0]}).");
        try
        {
            Checkpoint.LoadState(network, entries, "the file");
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{name} is not a PyTorch state dict of this architecture ({expected}): {e.Message}", e);
        }
    }

    /// <summary>The tensors of a state dict file, as float32 entries; errors say why the file is not one.</summary>
    public static IReadOnlyList<Safetensors.Entry> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No PyTorch state dict at {path}.");
        string name = Path.GetFileName(path);
        using var stream = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[4];
        if (stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) < 4 || !magic.SequenceEqual("PK\u0003\u0004"u8))
            throw new InvalidDataException($"{name} is not a PyTorch state dict: torch.save writes a zip archive, and this file is not one.");
        stream.Position = 0;
        Hashtable table;
        try
        {
            TorchRuntime.EnsureLoaded();
            table = PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: true);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"{name} could not be read as a PyTorch state dict: {e.Message.TrimEnd('.')}.", e);
        }
        var entries = new List<Safetensors.Entry>();
        foreach (DictionaryEntry item in table)
        {
            using var tensor = (torch.Tensor)item.Value!;
            using var values = tensor.to(torch.float32).contiguous();
            entries.Add(new Safetensors.Entry((string)item.Key, values.shape, values.data<float>().ToArray()));
        }
        if (entries.Count == 0) throw new InvalidDataException($"{name} holds no tensors, so it is not a state dict of a network.");
        return entries;
    }

    /// <summary>"12,72,144,288+576": the encoder widths and bottleneck a state dict of the interactive U-Net holds; null for other names.</summary>
    public static string? Widths(IReadOnlyList<Safetensors.Entry> entries)
    {
        var byName = entries.ToDictionary(e => e.Name);
        var encoder = new List<long>();
        for (int level = 1; byName.TryGetValue($"e{level}.conv.conv1.weight", out var weight); level++) encoder.Add(weight.Shape[0]);
        return encoder.Count > 0 && byName.TryGetValue("b.conv1.weight", out var bottleneck)
            ? $"{string.Join(",", encoder)}+{bottleneck.Shape[0]}" : null;
    }

    public static string WidthsOf(UNetConfig config) => $"{string.Join(",", config.EncoderWidths)}+{config.BottleneckWidth}";
}
