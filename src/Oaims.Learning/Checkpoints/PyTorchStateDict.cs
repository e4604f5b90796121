using Oaims.Learning.Network;
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
        if (!File.Exists(path)) throw new FileNotFoundException($"No PyTorch state dict at {path}.");
        try
        {
            network.load_py(path, strict: true);
        }
        catch (Exception e) when (e is not FileNotFoundException)
        {
            throw new InvalidDataException($"{Path.GetFileName(path)} is not a PyTorch state dict of this architecture " +
                                           $"({string.Join("/", network.Config.EncoderWidths)}+{network.Config.BottleneckWidth}): {e.Message}", e);
        }
    }
}
