using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
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
/// loopback (the remote client's round trip, from request to first mask and to last event), rounds alternating between
/// the two, each round starting from the source weights; only clicks 2.. count (the first click carries no MI step).
/// Then the comparisons of <see cref="BenchComparisons"/>. Writes a Markdown section (between markers, the rest of the file is kept).
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
        Dictionary<string, double> ServerSplit, string Device, int Threads)
    {
        public Figures InProcessFirst { get; init; } = new([]);
        public Figures GrpcFirst { get; init; } = new([]);
        public Figures ServerFirst { get; init; } = new([]);
        public Figures ServerDone { get; init; } = new([]);
        public Figures BytesPerClick { get; init; } = new([]);
        public int RefinedClicks { get; init; }
        public (double ForwardMs, double TrainStepMs) TorchSharp { get; init; }
        public (JsonNode? Result, string? Missing) PythonTorch { get; init; }
        public (JsonNode? Result, string? Missing) Uploads { get; init; }
        public (long Idle, long OneSession, long EightSessions, long Peak)? Memory { get; init; }
        public string? MemoryMissing { get; init; }
        public string LoadAtEnd { get; init; } = "n/a";
    }

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
            var inProcessFirst = new Figures([]); var grpcFirst = new Figures([]); var serverFirst = new Figures([]); var serverDone = new Figures([]);
            var bytesPerClick = new Figures([]);
            int refined = 0;
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
                    // Clicks 2.. only: the first click of a session carries no MI step, so it would flatter both modes.
                    bool counted = measured && n >= 1;
                    for (int turn = 0; turn < 2; turn++)
                    {
                        if ((turn == 0) == ((n + round) % 2 == 0))
                        {
                            long start = Stopwatch.GetTimestamp();
                            double firstAt = 0;
                            local.AddClick(clicks[n], null, (_, _) => firstAt = Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                            inProcessMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                            if (counted) inProcessFirst.Milliseconds.Add(firstAt);
                        }
                        else
                        {
                            var c = clicks[n];
                            var reply = await client.ClickAsync(session.SessionId, new Service.V1.Click { Axis = c.Axis, I = c.I, J = c.J, K = c.K, ClassIndex = c.Class }, cancellation: cancellation);
                            grpcMs = reply.ClientMilliseconds;
                            if (!counted) continue;
                            var l = reply.Summary.Latency;
                            serverTotal.Milliseconds.Add(l.TotalMs);
                            split["queue"].Add(l.QueueMs); split["forward"].Add(l.ForwardMs); split["adaptation"].Add(l.AdaptationMs); split["encode"].Add(l.EncodeMs);
                            grpcFirst.Milliseconds.Add(reply.FirstMaskClientMilliseconds);
                            serverFirst.Milliseconds.Add(reply.Summary.TimeToFirstMaskMs);
                            serverDone.Milliseconds.Add(reply.Summary.TimeToDoneMs);
                            bytesPerClick.Milliseconds.Add(reply.FirstMask.CalculateSize() + (reply.Summary.Refined ? reply.Mask.CalculateSize() : 0));
                            if (reply.Summary.Refined) refined++;
                        }
                    }
                    if (!counted) continue;
                    inProcess.Milliseconds.Add(inProcessMs);
                    grpc.Milliseconds.Add(grpcMs);
                    differences.Milliseconds.Add(grpcMs - inProcessMs);
                }
                await client.CloseSessionAsync(session.SessionId, cancellation);
                if (measured) log.WriteLine($"round {round}: in-process median {inProcess.Median:F1} ms, gRPC median {grpc.Median:F1} ms, paired difference median {differences.Median:+0.0;-0.0} ms (so far)");
            }
            int threads = TorchSharp.torch.get_num_threads();
            log.WriteLine("TorchSharp and python3-torch: forward and one training step of the same network ...");
            var torchSharp = BenchComparisons.TorchSharpTimes(card.ToConfig(), Side, settings.Rounds);
            var pythonTorch = BenchComparisons.PythonTorchTimes(card.ToConfig(), Side, threads, 3);
            log.WriteLine("Uploads from the Python client against a raw loopback TCP copy ...");
            var uploads = BenchComparisons.PythonUploads(embedded?.Address ?? new Uri(settings.Server!), 3, "240x240x155", "512x512x300");
            log.WriteLine("Server memory with 1 and 8 sessions on a 240x240x155 volume ...");
            (long, long, long, long)? memory = null;
            string? memoryMissing = null;
            try { memory = await BenchComparisons.ServerMemoryAsync(modelFolder, card.Name, Phantom.Generate3D(240, 240, 155, seed: 5).Image); }
            catch (Exception e) when (e is InvalidOperationException or IOException or global::Grpc.Core.RpcException) { memoryMissing = e.Message; }
            var result = new Result(description, Strategy, Side, inProcess, grpc, serverTotal, differences,
                split.ToDictionary(e => e.Key, e => new Figures(e.Value).Median), TorchRuntime.NameOf(device), threads)
            {
                InProcessFirst = inProcessFirst, GrpcFirst = grpcFirst, ServerFirst = serverFirst, ServerDone = serverDone, BytesPerClick = bytesPerClick,
                RefinedClicks = refined, TorchSharp = torchSharp, PythonTorch = pythonTorch, Uploads = uploads, Memory = memory, MemoryMissing = memoryMissing,
                LoadAtEnd = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a",
            };
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
        string Row(string what, Figures f, string unit = "F1") => $"| {what} | {f.Median.ToString(unit, inv)} | {f.P90.ToString(unit, inv)} | {f.Mean.ToString(unit, inv)} |";
        var b = new StringBuilder();
        b.AppendLine(Begin);
        b.AppendLine("## Click latency: mask first over gRPC, and against in-process");
        b.AppendLine();
        b.AppendLine(inv, $"Command: `{command}` (`make bench`, from the repository root; `oaims` is src/Oaims.Cli/bin/Release/net10.0/oaims). Every figure on this page comes from this one run.");
        b.AppendLine();
        b.AppendLine(inv, $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.OSVersion.Platform}, {Environment.ProcessorCount} cores ({cpu}), device {r.Device}, {r.Threads} torch thread(s); load average {load} when it started and {r.LoadAtEnd} at the end (the machine is shared: absolute times are noisy, the ratios below pair measurements taken under the same load).");
        b.AppendLine(inv, $"Model {r.ModelDescription}, strategy {r.Strategy}, {r.Side}x{r.Side} 2D phantom. A click: forward pass with the new click (the first mask, streamed at once), one MI adaptation step, forward pass of the adapted model (the refined mask), done.");
        b.AppendLine(inv, $"{s.Clicks} clicks of the simulated user x {s.Rounds} rounds, the same clicks in both modes, every round from the source weights; clicks 2..{s.Clicks} only ({r.Grpc.Milliseconds.Count} per mode; {r.RefinedClicks} of the gRPC ones had an applied MI step and a refined mask). The modes take turns click by click (who goes first alternates); one warm-up round is not counted.");
        b.AppendLine();
        b.AppendLine("| per click (clicks 2..) | median (ms) | p90 (ms) | mean (ms) |");
        b.AppendLine("|---|---:|---:|---:|");
        b.AppendLine(Row("gRPC: time to first mask (client, request to first mask event)", r.GrpcFirst));
        b.AppendLine(Row("gRPC: time to done (client, request to last event)", r.Grpc));
        b.AppendLine(Row("gRPC, server's own: `time_to_first_mask_ms`", r.ServerFirst));
        b.AppendLine(Row("gRPC, server's own: `time_to_done_ms`", r.ServerDone));
        b.AppendLine(Row("in-process: time to first mask (`VolumeSession.AddClick` callback)", r.InProcessFirst));
        b.AppendLine(Row("in-process: time to done (`VolumeSession.AddClick`)", r.InProcess));
        b.AppendLine(Row("paired difference, done (gRPC minus its in-process twin)", r.Differences));
        b.AppendLine();
        double firstShare = r.GrpcFirst.Median / r.Grpc.Median;
        b.AppendLine(inv, $"Time to first mask over time to done (gRPC medians): **{firstShare:F2}** (target <= 0.4: **{(firstShare <= 0.4 ? "met" : "not met")}**).");
        b.AppendLine(inv, $"gRPC against in-process, time to done: medians {overhead:+0.0;-0.0} ms ({percent:+0.0;-0.0}%); median paired difference {r.Differences.Median:+0.0;-0.0} ms ({100 * r.Differences.Median / r.InProcess.Median:+0.0;-0.0}%). Target within 5%: **{(Math.Abs(percent) <= 5 ? "met" : "not met")}**.");
        b.AppendLine(inv, $"The wire itself (client round trip minus the server's own total, median): {new Figures(r.Grpc.Milliseconds.Zip(r.ServerTotal.Milliseconds, (g, t) => g - t).ToList()).Median:F2} ms. Server-side split (medians, ms): queue {r.ServerSplit["queue"]:F2}, forward (both passes) {r.ServerSplit["forward"]:F1}, adaptation {r.ServerSplit["adaptation"]:F1}, encode (mask deltas) {r.ServerSplit["encode"]:F2}.");
        b.AppendLine();
        long fullSlice = (r.Side * (long)r.Side + 7) / 8, fullVolume = (240L * 240 * 155 + 7) / 8;
        b.AppendLine("### Bytes per click");
        b.AppendLine();
        b.AppendLine(inv, $"Both `MaskUpdate` messages of a click (first and refined; zlib-compressed box deltas), clicks 2..: median **{r.BytesPerClick.Median:F0} bytes** (p90 {r.BytesPerClick.P90:F0}, mean {r.BytesPerClick.Mean:F0}), against {fullSlice:N0} bytes for the full {r.Side}x{r.Side} mask bit-packed (ratio {r.BytesPerClick.Median / fullSlice:F3}) and {fullVolume:N0} bytes for a full 240x240x155 mask bit-packed (a click changes one slice, so its delta does not grow with the volume).");
        b.AppendLine();
        b.AppendLine("### TorchSharp against Debian's python3-torch");
        b.AppendLine();
        b.AppendLine(inv, $"The same network ({r.ModelDescription.Split('(')[0].Trim()}'s architecture, random weights), input {r.Side}x{r.Side}, batch 1, {r.Threads} thread(s) each; medians after two warm-ups. Python: `{BenchComparisons.Python} bench/python_bench.py torch ...` (peer network tests/Oaims.Learning.Tests/Peer/unet_peer.py).");
        b.AppendLine();
        if (r.PythonTorch.Result is { } py)
        {
            double pf = py["forward_ms"]!.GetValue<double>(), pt = py["train_step_ms"]!.GetValue<double>();
            b.AppendLine("| | TorchSharp 0.107 (LibTorch 2.10) (ms) | python3-torch " + py["torch_version"] + " (ms) | ratio python / TorchSharp |");
            b.AppendLine("|---|---:|---:|---:|");
            b.AppendLine(inv, $"| forward (no gradient) | {r.TorchSharp.ForwardMs:F1} | {pf:F1} | {pf / r.TorchSharp.ForwardMs:F2} |");
            b.AppendLine(inv, $"| one training step (forward, cross-entropy backward, Adam) | {r.TorchSharp.TrainStepMs:F1} | {pt:F1} | {pt / r.TorchSharp.TrainStepMs:F2} |");
        }
        else b.AppendLine(inv, $"TorchSharp: forward {r.TorchSharp.ForwardMs:F1} ms, training step {r.TorchSharp.TrainStepMs:F1} ms; python3-torch not measured: {r.PythonTorch.Missing}.");
        b.AppendLine();
        b.AppendLine("### Uploads from the Python client");
        b.AppendLine();
        b.AppendLine("`oaims_client.Client.upload` of a float32 volume as callers call it (all the user waits for, the server storing it included: over the fast upload endpoint, POST /v1/images, when the server offers it; else fingerprint, FindImage and the chunked gRPC stream) against `sendall` of the same bytes over a raw loopback TCP socket into a buffer allocated before the clock starts (the issue's baseline), and into one the receiver allocates as the bytes arrive (as a server storing the image must), all from /usr/bin/python3 in `bench/python_bench.py upload`; \"over gRPC\" is the same upload through UploadImage alone (a client without the fast path); fresh content each time, medians of 3.");
        b.AppendLine();
        if (r.Uploads.Result?["uploads"] is JsonArray rows)
        {
            b.AppendLine("| volume | MB | upload (MB/s) | path | raw TCP (MB/s) | ratio | raw TCP into memory allocated inside the clock (MB/s) | ratio to it | over gRPC (MB/s), chunk | SHA-256 fingerprint alone (MB/s) |");
            b.AppendLine("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|");
            foreach (var row in rows)
            {
                double up = row!["upload_mb_s"]!.GetValue<double>(), raw = row["raw_tcp_mb_s"]!.GetValue<double>(), fresh = row["raw_tcp_fresh_memory_mb_s"]!.GetValue<double>();
                b.AppendLine(inv, $"| {string.Join("x", row["dims"]!.AsArray().Select(d => d!.GetValue<int>()))} float32 | {row["megabytes"]!.GetValue<double>():F1} | {up:F0} | {row["transport"]} | {raw:F0} | {up / raw:F2} | {fresh:F0} | {up / fresh:F2} | {row["grpc_upload_mb_s"]!.GetValue<double>():F0}, {row["chunk_bytes"]!.GetValue<int>() >> 10} KiB | {row["fingerprint_mb_s"]!.GetValue<double>():F0} |");
            }
        }
        else b.AppendLine(inv, $"Not measured: {r.Uploads.Missing}.");
        b.AppendLine();
        b.AppendLine("### Server memory");
        b.AppendLine();
        if (r.Memory is var (idle, one, eight, peak))
            b.AppendLine(inv, $"A separate `oaims serve` process with this model, resident memory (VmRSS): {idle / 1048576.0:F0} MiB idle; {one / 1048576.0:F0} MiB with a 240x240x155 float32 volume uploaded and 1 session that clicked; {eight / 1048576.0:F0} MiB with 8 such sessions ({(eight - one) / 7.0 / 1048576.0:F0} MiB per further session: its normalised float32 copy and two label volumes are {SessionBytes(240L * 240 * 155) / 1048576.0:F0} MiB); peak {peak / 1048576.0:F0} MiB.");
        else b.AppendLine(inv, $"Not measured: {r.MemoryMissing}.");
        b.AppendLine(End);
        return b.ToString();
    }

    static long SessionBytes(long voxels) => voxels * (sizeof(float) + 2);

    /// <summary>Replaces this benchmark's section of the file (between its markers), or appends it; other sections are kept.</summary>
    public static void WriteSection(string path, string section) => MarkdownSection.Replace(path, Begin, End, section.TrimEnd('\n'));
}
