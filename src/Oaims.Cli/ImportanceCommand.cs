using System.CommandLine;
using Oaims.Learning;
using Oaims.Learning.Adaptation;
using Oaims.Learning.Checkpoints;
using Oaims.Learning.Data;
using static Oaims.Cli.CliOptions;

namespace Oaims.Cli;

/// <summary>
/// `oaims importance`: measures how much each weight of a checkpoint matters on its source domain (the diagonal Fisher
/// information on labelled source slices) and stores it beside the weights, for the `ewc` adaptation variant.
/// </summary>
public static class ImportanceCommand
{
    public static Command Create()
    {
        var model = Required("--model", "checkpoint folder (or model name) to measure; importance.safetensors is written into it");
        var data = Required("--data", "the source training data (e.g. ../shared/data/brats2013)");
        var modality = Optional("--modality", "brain: the source modality (flair)");
        var cases = Optional("--cases", "brain: the source training cases only (comma-separated)");
        var split = Optional("--split", "fundus: the training split");
        var lesionSlicesEvery = WithDefault("--lesion-slices-every", 3, "brain: keep one lesion slice in n");
        var command = new Command("importance", "Measure the source weights' importance (diagonal Fisher) for elastic weight consolidation.");
        foreach (var o in new Option[] { model, data, modality, cases, split, lesionSlicesEvery }) command.Options.Add(o);
        command.SetAction(parse => Guarded(() =>
        {
            TorchRuntime.UseThreads();
            string folder = Checkpoint.Locate(ModelCatalog.Resolve(parse.GetValue(model)!));
            var (network, card) = Checkpoint.Load(folder);
            var samples = TaskData.Load(card.ToTask(), parse.GetValue(data)!, parse.GetValue(modality), SplitList(parse.GetValue(cases)), parse.GetValue(split),
                                        forTraining: false, 0, parse.GetValue(lesionSlicesEvery));
            var importance = SourceImportance.Compute(network, card.ToTask(), samples);
            SourceImportance.Save(folder, network, importance);
            Console.WriteLine($"{Path.Combine(folder, SourceImportance.FileName)}: importance of {importance.Sum(t => t.numel()):N0} weights from {samples.Count} slices.");
            return 0;
        }));
        return command;
    }
}
