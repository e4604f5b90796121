using System.CommandLine;
using Oaims.Learning.Checkpoints;
using static Oaims.Cli.CliOptions;

namespace Oaims.Cli;

/// <summary>`oaims export-model`: an OAIMS checkpoint as a PyTorch state dict (torch.load gives the same tensors).</summary>
public static class ExportModelCommand
{
    public static Command Create()
    {
        var model = Required("--model", "model name under models/ (e.g. brain-flair) or a checkpoint folder");
        var output = Required("--out", "state dict file to write, e.g. brain-flair.pt");
        var command = new Command("export-model", "Write a checkpoint's weights as a PyTorch state dict (parameter names as in the reference code).");
        command.Options.Add(model);
        command.Options.Add(output);
        command.SetAction(parse => Guarded(() =>
        {
            string outPath = parse.GetValue(output)!;
            if (Directory.Exists(outPath)) throw new IOException($"{outPath} is a folder; name the state dict file to write, e.g. model.pt.");
            var (network, card) = Checkpoint.Load(ModelCatalog.Resolve(parse.GetValue(model)!));
            using (network) PyTorchStateDict.Export(network, outPath);
            Console.WriteLine($"Wrote {outPath}: {card.Name} ({card.Task}, widths {PyTorchStateDict.WidthsOf(card.ToConfig())}).");
            return 0;
        }));
        return command;
    }
}
