using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Oaims.Imaging;
using Oaims.Interaction;
using Oaims.Learning;
using Oaims.Learning.Adaptation;
using Oaims.Learning.Checkpoints;
using Oaims.Learning.Data;
using Oaims.Learning.Evaluation;
using Oaims.Learning.Network;
using TorchSharp;
using static Oaims.Cli.CliOptions;

namespace Oaims.Cli;

/// <summary>
/// `oaims bench`: the in-process cost of one interactive click at 256x256 (forward for the first mask and
/// pseudo-label, one MI adaptation step, forward for the refined mask), written to docs/benchmarks.md.
/// </summary>
public static class BenchCommand
{
    const string Begin = "<!-- BEGIN click time at 256x256 (written by `oaims bench`) -->";
    const string End = "<!-- END click time at 256x256 -->";

    public static Command Create()
    {
        var model = WithDefault("--model", "brain-flair", "model name or checkpoint folder");
        var clicks = WithDefault("--clicks", 40, "clicks to time (after 5 warm-up clicks)");
        var output = Optional("--out", "markdown file to update (e.g. docs/benchmarks.md)");
        var command = new Command("bench", "Time one interactive click (forward, MI step, forward) at 256x256 on this machine.");
        foreach (var o in new Option[] { model, clicks, output }) command.Options.Add(o);
        command.SetAction(parse => Guarded(() =>
        {
            TorchRuntime.UseThreads();
            var (network, card) = Checkpoint.Load(ModelCatalog.Resolve(parse.GetValue(model)!));
            using var learner = new OnlineLearner(network, card, "pi+mi");
            var phantom = Phantom.Generate2D(256, 256, seed: 1);
            var image = phantom.Image.Channels.Select(c => (float[])c.Clone()).ToArray();
            IntensityNormaliser.Apply(learner.Task.Normalisation, image);
            var truth = new LabelMap(256, 256, phantom.Label.Channels[0].Select(v => v > 0.5f ? 1 : 0).ToArray());
            var sample = new SliceSample("phantom", image[0], 1, 256, 256, truth);

            var times = new List<double>();
            int wanted = parse.GetValue(clicks) + 5;
            while (times.Count < wanted)
            {
                using var interaction = new SliceInteraction(learner, sample);
                for (int t = 0; t < 10 && times.Count < wanted; t++)
                {
                    var click = interaction.Mask is null ? SimulatedUser.FirstClick(truth) : SimulatedUser.NextClick(truth, interaction.Mask);
                    if (click is not { } c) break;
                    var clock = Stopwatch.StartNew();
                    interaction.AddClick(c);
                    if (t > 0) times.Add(clock.Elapsed.TotalMilliseconds); // the first click carries no MI step: not timed
                }
            }
            var measured = times.Skip(5).Order().ToArray();
            var (forwardMs, flops) = ForwardRate(learner.Network, card.ToConfig(), 256, repeats: 20);
            var peak = CpuPeak.OfThisMachine();
            double median = StepReport.Median(measured), p90 = measured[(int)(0.9 * (measured.Length - 1))];
            double load = File.Exists("/proc/loadavg") ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture) : double.NaN;
            string section = string.Join("\n",
                Begin, "## Click time at 256x256 (in-process)", "",
                $"Command: `oaims bench --model {parse.GetValue(model)} --clicks {measured.Length} --out docs/benchmarks.md` (`make bench`).", "",
                $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load average {load:F2} at the end; model {card.Name} " +
                $"({string.Join("/", card.Architecture.EncoderWidths)}+{card.Architecture.BottleneckWidth}, {network.ParameterCount():N0} parameters), strategy pi+mi.",
                "One click = forward with the new click (the first mask, and MI's pseudo-label), one MI adaptation step (forward with the earlier clicks, backward, Adam), forward for the refined mask; clicks 2..10 of each image only (the first carries no MI step).", "",
                "| clicks timed | median (ms) | p90 (ms) | target |", "|---:|---:|---:|---|",
                $"| {measured.Length} | {median:F0} | {p90:F0} | median <= 400 ms: **{(median <= 400 ? "met" : "not met")}** |", "",
                "### Forward pass against this CPU's peak", "",
                $"The network's forward pass at 256x256, batch 1, no gradient: median of 20 after 3 warm-ups. FLOPs counted from the convolutions " +
                "(2 per multiply-add; `UNetConfig.ForwardFlops`). Peak: " + (peak is null ? "not derivable here (no /proc/cpuinfo clock)." :
                $"{peak.Model}, {peak.Derivation} (cores as the OS counts them, clock as /proc/cpuinfo reports it; oneDNN is limited to AVX2, so 2 FMA units x 8 fp32 lanes x 2)."), "",
                "| forward (median ms) | GFLOP per pass | GFLOP/s | peak GFLOP/s | share of peak |", "|---:|---:|---:|---:|---:|",
                $"| {forwardMs:F1} | {flops / 1e9:F2} | {flops / 1e9 / (forwardMs / 1000):F1} | {(peak is null ? "-" : peak.Gflops.ToString("F0", CultureInfo.InvariantCulture))} | " +
                $"{(peak is null ? "-" : (flops / 1e9 / (forwardMs / 1000) / peak.Gflops).ToString("P0", CultureInfo.InvariantCulture))} |", End);
            Console.WriteLine(section);
            if (parse.GetValue(output) is { } path) MarkdownSection.Replace(path, Begin, End, section);
            return 0;
        }));
        return command;
    }

    /// <summary>Median milliseconds of one click-free forward pass at side x side, and the FLOPs it does.</summary>
    static (double Milliseconds, double Flops) ForwardRate(InteractiveUNet network, UNetConfig config, int side, int repeats)
    {
        using var input = torch.zeros(1, config.InputChannels, side, side, device: network.Device);
        using var noGrad = torch.no_grad();
        double median = BenchComparisons.Median(repeats, () => { using var logits = network.forward(input); }, warmUps: 3);
        return (median, config.ForwardFlops(side));
    }
}

/// <summary>Replaces (or appends) a marked section of a markdown file, leaving the rest as it is.</summary>
public static class MarkdownSection
{
    public static void Replace(string path, string begin, string end, string section)
    {
        string text = File.Exists(path) ? File.ReadAllText(path) : "# Benchmarks\n";
        int start = text.IndexOf(begin, StringComparison.Ordinal), stop = text.IndexOf(end, StringComparison.Ordinal);
        text = start >= 0 && stop > start
            ? text[..start] + section + text[(stop + end.Length)..]
            : text.TrimEnd() + "\n\n" + section + "\n";
        AtomicFile.WriteAllText(path, text);
    }
}
