using Oaims.Learning;
using Oaims.Learning.Checkpoints;
using Oaims.Learning.Network;
using TorchSharp;

namespace Oaims.Service.Tests;

/// <summary>Untrained checkpoints small enough that a click takes milliseconds: one per task, 32x32 model input.</summary>
public static class TinyModels
{
    public const string Brain = "tiny-brain";
    public const string Rgb = "tiny-rgb";
    public const int InputSize = 32;

    /// <summary>Writes tiny-brain (1 channel, background/lesion) and tiny-rgb (3 channels, background/rim/cup) under the folder.</summary>
    public static string Write(string modelsFolder)
    {
        TorchRuntime.EnsureLoaded();
        torch.manual_seed(1);
        Save(Path.Combine(modelsFolder, Brain), new UNetConfig(1, 2, [4, 8], 8), Brain, "brain-lesion", ["background", "lesion"]);
        Save(Path.Combine(modelsFolder, Rgb), new UNetConfig(3, 3, [4, 8], 8), Rgb, "fundus-odoc", ["background", "rim", "cup"]);
        return modelsFolder;
    }

    static void Save(string folder, UNetConfig config, string name, string task, string[] classes)
    {
        using var network = new InteractiveUNet(config);
        Checkpoint.Save(folder, network, new ModelCard
        {
            Name = name, Task = task, Architecture = ArchitectureCard.From(config), ClassNames = classes,
            InputSize = InputSize, InputFit = "PadOrCrop", Normalisation = "ZScoreForeground",
        });
    }
}
