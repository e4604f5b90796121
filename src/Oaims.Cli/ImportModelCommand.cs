using System.CommandLine;
using System.Security.Cryptography;
using Oaims.Learning;
using Oaims.Learning.Checkpoints;
using Oaims.Learning.Data;
using Oaims.Learning.Network;
using static Oaims.Cli.CliOptions;

namespace Oaims.Cli;

/// <summary>
/// `oaims import-model`: a PyTorch state dict (the reference implementation's, or an export of ours) into an ordinary
/// OAIMS checkpoint, usable with --model; its card records the file it came from.
/// </summary>
public static class ImportModelCommand
{
    public static Command Create()
    {
        var stateDict = Required("--state-dict", "file written by torch.save(model.state_dict(), FILE.pt)");
        var widths = WithDefault("--widths", "reference", "reference (12,72,144,288+576), default (8,16,32,64,128+256), or encoder widths+bottleneck like 8,16,32+64");
        var task = Required("--task", "brain-lesion or fundus-odoc (sets the input channels, classes and input conventions)");
        var output = Required("--out", "checkpoint folder to write (new, empty, or an earlier import: a new version is added)");
        var name = Optional("--name", "model name in the card (default: the folder's name)");
        var licence = Optional("--data-licence", "licence of the data the weights were trained on, recorded in the card");
        var command = new Command("import-model", "Import a PyTorch state dict of the interactive U-Net as an OAIMS checkpoint.");
        foreach (var o in new Option[] { stateDict, widths, task, output, name, licence }) command.Options.Add(o);
        command.SetAction(parse => Guarded(() =>
        {
            string path = parse.GetValue(stateDict)!, outDir = parse.GetValue(output)!;
            var segmentationTask = SegmentationTask.ByName(parse.GetValue(task)!);
            var config = UNetConfig.Parse(parse.GetValue(widths)!, segmentationTask.ImageChannels, segmentationTask.Classes);
            CheckpointOutput.Check(outDir);
            TorchRuntime.EnsureLoaded();
            using var network = new InteractiveUNet(config);
            PyTorchStateDict.Import(network, path);
            var card = ModelCard.For(segmentationTask, config, parse.GetValue(name) ?? CheckpointOutput.NameOf(outDir)) with
            {
                DataLicence = parse.GetValue(licence),
                Origin = new OriginCard
                {
                    Kind = OriginCard.PyTorchImport, Source = Path.GetFullPath(path), SourceSha256 = Sha256Of(path),
                    Command = CommandLine(), Commit = SourceControl.Commit(),
                },
            };
            CheckpointOutput.Save(outDir, into => Checkpoint.Save(into, network, card));
            Console.WriteLine($"Imported {path} ({segmentationTask.Name}, widths {PyTorchStateDict.WidthsOf(config)}) into {outDir}.");
            return 0;
        }));
        return command;
    }

    static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
