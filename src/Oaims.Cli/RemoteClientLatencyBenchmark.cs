using System.Diagnostics;
using System.Globalization;
using System.Text;
using Oaims.Imaging;
using Oaims.Interaction;
using Oaims.Learning;
using Oaims.Learning.Adaptation;
using Oaims.Learning.Checkpoints;
using Oaims.Learning.Network;
using Oaims.Learning.Sessions;
using Oaims.Service;
using Oaims.Service.V1;

namespace Oaims.Cli;

/// <summary>
/// What the remote client pays for the wire: the same clicks timed in-process (VolumeSession.AddClick) and over gRPC on
/// loopback (the remote client's round trip, from request to last event), rounds alternating between the two, each
/// round starting from the source weights. Writes a Markdown section (between markers, the rest of the file is kept).
/// </summary>
public static class LatencyBenchmark
{
    public sealed record Settings(string? Model, string ModelsFolder, bool Untrained, int Clicks, int Rounds, string Device, string? Server, string? Token);

    /// <summary>Per-click figures of one mode.</summary>
    public sealed record Figures(List<double> Milliseconds)
    {
        public double Median => Quantile(0.5);
        public double P90 => Quantile(0.9);
        public double Mean => Milliseconds.Average();
        double Quantile(double q)
        {
            var sorted = Milliseconds.Order().ToArray();
            double position = q * (sorted.Length - 1);
            int low = (int)Math.Floor(position), high = (int)Math.Ceiling(position);
            return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
        }
    }

    public sealed record Result(string ModelDescription, string Strategy, int Side, Figures InProcess, Figures Grpc, Figures ServerTotal, Figures Differences,
        Dictionary<string, double> ServerSplit, string Device, int Threads);

    const string Begin = "<!-- BEGIN click latency: gRPC vs in-process (written by `oaims demo --benchmark`) -->";
    const string End = "<!-- END click latency: gRPC vs in-process -->";
    const string Strategy = "pi+mi";
    const int Side = 256;

    public static async Task<Result> RunAsync(Settings settings, string outputFile, TextWriter log, CancellationToken cancellation = default)
    {
        if (settings.Rounds is < 1 or > 100) throw new ArgumentException("--rounds must be between 1 and 100.");
        string load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
        TorchRuntime.UseThreads();
        var device = TorchRuntime.ResolveDevice(settings.Device);
        string? temporary = null;
        try
        {
            string modelFolder;
            if (settings.Untrained) modelFolder = temporary = WriteUntrainedModel();
            else
            {
                try { modelFolder = ModelCatalog.Resolve(settings.Model ?? "brain-flair"); }
                catch (FileNotFoundException e) { throw new ArgumentException($"{e.Message} Train it, name another with --model, or pass --untrained."); }
            }
            var (network, card) = Checkpoint.Load(modelFolder, device);
            using var learner = new OnlineLearner(network, card, Strategy);
            var task = learner.Task;
            var (image, truth) = Images(task.ImageChannels);
            string description = $"{card.Name} ({(card.Training is { } t ? $"trained {t.Steps} steps" : "untrained")}, {card.Architecture.EncoderWidths.Length}-level U-Net {string.Join("/", card.Architecture.EncoderWidths)}+{card.Architecture.BottleneckWidth})";

            await using var embedded = settings.Server is null ? await ServeCommand.StartEmbeddedAsync(null, settings.Device) : null;
            string remoteModel = card.Name;
            if (embedded is not null) remoteModel = embedded.Sidecar.AddModel(modelFolder).Name;
            using var client = new RemoteClient(embedded?.Address ?? new Uri(settings.Server!), settings.Token);
            string workspace = $"bench-{Guid.NewGuid():N}"[..20];
            await client.Workspaces.CreateWorkspaceAsync(new CreateWorkspaceRequest { Name = workspace, Model = remoteModel, Strategy = Strategy }, cancellationToken: cancellation);
            var uploaded = await client.UploadAsync(image, "benchmark phantom", cancellation: cancellation);

            var clicks = RecordClicks(learner, image, truth, settings.Clicks);
            log.WriteLine($"Benchmark: {description}, strategy {Strategy}, {Side}x{Side} phantom, {clicks.Count} clicks x {settings.Rounds} rounds, the modes taking turns click by click (plus one warm-up round).");
            var inProcess = new Figures([]);
            var grpc = new Figures([]);
            var serverTotal = new Figures([]);
            var split = new Dictionary<string, List<double>> { ["queue"] = [], ["forward"] = [], ["adaptation"] = [], ["encode"] = [] };
            var differences = new Figures([]);
            for (int round = 0; round <= settings.Rounds; round++)
            {
                bool measured = round > 0;
                learner.ResetToSource();
                using var local = new VolumeSession(learner, image);
                await client.Workspaces.ResetToSourceAsync(new ResetToSourceRequest { Workspace = workspace }, cancellationToken: cancellation);
                var session = await client.OpenSessionAsync(workspace, uploaded.ImageId, 1, cancellation: cancellation);
                for (int n = 0; n < clicks.Count; n++)
                {
                    // The two modes take turns click by click (and swap who goes first), so both see the same machine load.
                    double inProcessMs = 0, grpcMs = 0;
                    for (int turn = 0; turn < 2; turn++)
                    {
                        if ((turn == 0) == ((n + round) % 2 == 0))
                        {
                            long start = Stopwatch.GetTimestamp();
                            local.AddClick(clicks[n]);
                            inProcessMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                        }
                        else
                        {
                            var c = clicks[n];
                            var reply = await client.ClickAsync(session.SessionId, new Service.V1.Click { Axis = c.Axis, I = c.I, J = c.J, K = c.K, ClassIndex = c.Class }, cancellation: cancellation);
                            grpcMs = reply.ClientMilliseconds;
                            if (!measured) continue;
                            var l = reply.Summary.Latency;
                            serverTotal.Milliseconds.Add(l.TotalMs);
                            split["queue"].Add(l.QueueMs); split["forward"].Add(l.ForwardMs); split["adaptation"].Add(l.AdaptationMs); split["encode"].Add(l.EncodeMs);
                        }
                    }
                    if (!measured) continue;
                    inProcess.Milliseconds.Add(inProcessMs);
                    grpc.Milliseconds.Add(grpcMs);
                    differences.Milliseconds.Add(grpcMs - inProcessMs);
                }
                await client.CloseSessionAsync(session.SessionId, cancellation);
                if (measured) log.WriteLine($"round {round}: in-process median {inProcess.Median:F1} ms, gRPC median {grpc.Median:F1} ms, paired difference median {differences.Median:+0.0;-0.0} ms (so far)");
            }
            var result = new Result(description, Strategy, Side, inProcess, grpc, serverTotal, differences,
                split.ToDictionary(e => e.Key, e => new Figures(e.Value).Median), TorchRuntime.NameOf(device), TorchSharp.torch.get_num_threads());
            string section = Markdown(result, settings, load);
            WriteSection(outputFile, section);
            log.WriteLine(section);
            return result;
        }
        finally
        {
            if (temporary is not null) Directory.Delete(temporary, recursive: true);
        }
    }

    /// <summary>The clicks of the simulated user on the phantom, made once in-process; every round then replays exactly these.</summary>
    static List<VolumeClick> RecordClicks(OnlineLearner learner, Volume image, Volume truth, int count)
    {
        learner.ResetToSource();
        var truthSlice = DemoCommand.TruthSlice(truth, 0);
        var clicks = new List<VolumeClick>();
        using var session = new VolumeSession(learner, image);
        for (int n = 0; n < count; n++)
        {
            var prediction = LabelMap.FromBytes(image.Dims[0], image.Dims[1], session.Labels);
            var next = n == 0 ? SimulatedUser.FirstClick(truthSlice) : SimulatedUser.NextClick(truthSlice, prediction);
            // A perfect mask leaves nothing to correct; a real user would confirm with another positive click at the centre.
            var c = next ?? SimulatedUser.FirstClick(truthSlice)!.Value;
            var click = new VolumeClick(2, c.X, c.Y, 0, c.Class);
            session.AddClick(click);
            clicks.Add(click);
        }
        return clicks;
    }

    static (Volume Image, Volume Truth) Images(int channels)
    {
        var phantom = Phantom.Generate2D(Side, Side, seed: 11);
        if (channels == 1) return (phantom.Image, phantom.Label);
        var rgb = Enumerable.Range(0, channels).Select(_ => phantom.Image.Channels[0].Select(v => v * 255f).ToArray()).ToArray();
        return (new Volume(phantom.Image.Dims, rgb, phantom.Image.IjkToRas), phantom.Label);
    }

    static string WriteUntrainedModel()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"oaims-bench-{Guid.NewGuid():N}");
        TorchSharp.torch.manual_seed(0);
        var config = UNetConfig.Default(1, 2);
        using var network = new InteractiveUNet(config);
        Checkpoint.Save(folder, network, new ModelCard
        {
            Name = "untrained-default", Task = "brain-lesion", Architecture = ArchitectureCard.From(config), ClassNames = ["background", "lesion"],
            InputSize = Side, InputFit = "PadOrCrop", Normalisation = "ZScoreForeground",
        });
        return folder;
    }

    static string Markdown(Result r, Settings s, string load)
    {
        var inv = CultureInfo.InvariantCulture;
        double overhead = r.Grpc.Median - r.InProcess.Median, percent = 100 * overhead / r.InProcess.Median;
        string cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU"
            : "unknown CPU";
        string command = "oaims demo --benchmark <file>" + (s.Untrained ? " --untrained" : $" --model {s.Model ?? "brain-flair"}") + $" --clicks {s.Clicks} --rounds {s.Rounds}" + (s.Server is null ? "" : $" --server {s.Server}");
        var b = new StringBuilder();
        b.AppendLine(Begin);
        b.AppendLine("## Click latency: gRPC vs in-process");
        b.AppendLine();
        b.AppendLine(inv, $"Command: `{command}` (from the repository root after `make build`; `oaims` is src/Oaims.Cli/bin/Release/net10.0/oaims).");
        b.AppendLine();
        b.AppendLine(inv, $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.OSVersion.Platform}, {Environment.ProcessorCount} cores ({cpu}), device {r.Device}, {r.Threads} torch thread(s); load average {load} when it started.");
        b.AppendLine(inv, $"Model {r.ModelDescription}, strategy {r.Strategy} (each click: one MI adaptation step, then the forward pass for the mask), {r.Side}x{r.Side} 2D phantom.");
        b.AppendLine(inv, $"{s.Clicks} clicks of the simulated user x {s.Rounds} rounds, the same clicks in both modes, every round from the source weights. The modes take turns click by click (who goes first alternates), so each gRPC click has an in-process twin measured under the same load; one warm-up round is not counted.");
        b.AppendLine();
        b.AppendLine("| per click | median (ms) | p90 (ms) | mean (ms) |");
        b.AppendLine("|---|---:|---:|---:|");
        b.AppendLine(inv, $"| in-process (`VolumeSession.AddClick`) | {r.InProcess.Median:F1} | {r.InProcess.P90:F1} | {r.InProcess.Mean:F1} |");
        b.AppendLine(inv, $"| gRPC on loopback (client round trip: request to last event) | {r.Grpc.Median:F1} | {r.Grpc.P90:F1} | {r.Grpc.Mean:F1} |");
        b.AppendLine(inv, $"| of which server-side (`Latency.total_ms`) | {r.ServerTotal.Median:F1} | {r.ServerTotal.P90:F1} | {r.ServerTotal.Mean:F1} |");
        b.AppendLine(inv, $"| paired difference (gRPC minus its in-process twin) | {r.Differences.Median:+0.0;-0.0} | {r.Differences.P90:+0.0;-0.0} | {r.Differences.Mean:+0.0;-0.0} |");
        b.AppendLine();
        b.AppendLine(inv, $"gRPC overhead on the median: {overhead:+0.0;-0.0} ms ({percent:+0.0;-0.0}%); median paired difference {r.Differences.Median:+0.0;-0.0} ms ({100 * r.Differences.Median / r.InProcess.Median:+0.0;-0.0}%). Target: gRPC median within 10% of in-process: **{(percent <= 10 ? "met" : "not met")}**.");
        b.AppendLine(inv, $"The wire itself (client round trip minus the server's own total, median): {new Figures(r.Grpc.Milliseconds.Zip(r.ServerTotal.Milliseconds, (g, t) => g - t).ToList()).Median:F2} ms.");
        b.AppendLine(inv, $"Server-side split of the gRPC clicks (medians, ms): queue {r.ServerSplit["queue"]:F2}, forward {r.ServerSplit["forward"]:F1}, adaptation {r.ServerSplit["adaptation"]:F1}, encode (mask delta) {r.ServerSplit["encode"]:F2}.");
        b.AppendLine("Noise: both modes share the machine with whatever else runs; the load average above says how busy it was.");
        b.AppendLine(End);
        return b.ToString();
    }

    /// <summary>Replaces this benchmark's section of the file (between its markers), or appends it; other sections are kept.</summary>
    public static void WriteSection(string path, string section) => MarkdownSection.Replace(path, Begin, End, section.TrimEnd('\n'));
}
