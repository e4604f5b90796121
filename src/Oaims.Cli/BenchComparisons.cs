using System.Diagnostics;
using System.Text.Json.Nodes;
using Oaims.Cli.Reliability;
using Oaims.Imaging;
using Oaims.Learning;
using Oaims.Learning.Network;
using TorchSharp;
using static TorchSharp.torch;

namespace Oaims.Cli;

/// <summary>
/// The figures of `make bench` that need something besides the click loop: TorchSharp against Debian's python3-torch
/// on the same network, uploads from the Python client against a raw loopback TCP copy, and a server process's memory
/// with 1 and 8 sessions. The Python side is bench/python_bench.py, run with /usr/bin/python3.
/// </summary>
public static class BenchComparisons
{
    public const string Python = "/usr/bin/python3";

    /// <summary>Forward (no gradient) and one training step (forward, cross-entropy backward, Adam) in TorchSharp: medians in ms.</summary>
    public static (double ForwardMs, double TrainStepMs) TorchSharpTimes(UNetConfig config, int side, int repeats)
    {
        manual_seed(0);
        using var network = new InteractiveUNet(config);
        using var optimizer = optim.Adam(network.parameters(), 5e-5);
        using var input = randn(1, config.InputChannels, side, side);
        using var target = randint(0, config.Classes, [1, side, side]);
        double forward = Median(repeats, () =>
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            network.forward(input);
        });
        double train = Median(repeats, () =>
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            nn.functional.cross_entropy(network.forward(input), target).backward();
            optimizer.step();
        });
        return (forward, train);
    }

    /// <summary>The same two figures from python3-torch (bench/python_bench.py torch), or why they are missing.</summary>
    public static (JsonNode? Result, string? Missing) PythonTorchTimes(UNetConfig config, int side, int threads, int repeats) =>
        RunPython(["torch", string.Join(",", config.EncoderWidths), config.BottleneckWidth.ToString(), config.InputChannels.ToString(),
                   config.Classes.ToString(), side.ToString(), threads.ToString(), repeats.ToString()], TimeSpan.FromMinutes(8));

    /// <summary>Upload MB/s of the Python client against a raw loopback TCP copy (bench/python_bench.py upload).</summary>
    public static (JsonNode? Result, string? Missing) PythonUploads(Uri server, int repeats, params string[] shapes) =>
        RunPython(["upload", server.ToString().TrimEnd('/'), repeats.ToString(), .. shapes], TimeSpan.FromMinutes(8));

    /// <summary>Resident memory of a separate `oaims serve` after an upload of the volume and 1, then 8 open sessions on it.</summary>
    public static async Task<(long Idle, long OneSession, long EightSessions, long Peak)> ServerMemoryAsync(string modelFolder, string modelName, Volume volume)
    {
        string models = Path.Combine(Path.GetTempPath(), $"oaims-bench-models-{Guid.NewGuid():N}");
        Directory.CreateDirectory(models);
        try
        {
            File.CreateSymbolicLink(Path.Combine(models, modelName), Path.GetFullPath(modelFolder));
            await using var server = await ServerProcess.StartAsync(["--models", models, "--checkpoints", Path.Combine(models, "checkpoints")]);
            using var client = new RemoteClient(server.Address);
            long Resident() => server.Memory()?.Resident ?? 0;
            await Task.Delay(1000);
            long idle = Resident();
            var image = await client.UploadAsync(volume, "memory benchmark");
            var click = new Service.V1.Click { Axis = 2, I = volume.Dims[0] / 2, J = volume.Dims[1] / 2, K = volume.Dims[2] / 2, Positive = true };
            // Each session clicks once, so that its torch state (the slice's fitted input, the prediction) is counted too.
            async Task OpenAndClickAsync() => await client.ClickAsync((await client.OpenSessionAsync(modelName, image.ImageId, 1)).SessionId, click);
            await OpenAndClickAsync();
            long one = Resident();
            for (int n = 1; n < 8; n++) await OpenAndClickAsync();
            long eight = Resident();
            long peak = server.Memory()?.Peak ?? 0;
            await server.StopAsync();
            return (idle, one, eight, peak);
        }
        finally { Directory.Delete(models, recursive: true); }
    }

    static (JsonNode? Result, string? Missing) RunPython(string[] arguments, TimeSpan timeout)
    {
        string script = Path.GetFullPath("bench/python_bench.py");
        if (!File.Exists(Python)) return (null, $"{Python} is missing");
        if (!File.Exists(script)) return (null, $"{script} is missing (run from the repository root)");
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        foreach (string a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            return (null, $"python_bench.py {arguments[0]} ran past {timeout.TotalMinutes:F0} minutes");
        }
        if (process.ExitCode != 0) return (null, $"python_bench.py {arguments[0]} failed: {errors.Result.Trim().Split('\n').LastOrDefault()}");
        return (JsonNode.Parse(output.Result), null);
    }

    /// <summary>Median milliseconds of <paramref name="work"/> over <paramref name="repeats"/> runs after <paramref name="warmUps"/> untimed ones.</summary>
    internal static double Median(int repeats, Action work, int warmUps = 2) // 2: as the Python side does
    {
        for (int n = 0; n < warmUps; n++) work();
        var times = new List<double>();
        for (int n = 0; n < repeats; n++)
        {
            long start = Stopwatch.GetTimestamp();
            work();
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return Learning.Evaluation.StepReport.Median(times.Order().ToArray());
    }
}
