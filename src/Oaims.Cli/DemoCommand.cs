using System.CommandLine;
using Grpc.Core;
using Oaims.Imaging;
using Oaims.Interaction;
using Oaims.Service;
using Oaims.Service.V1;
using static Oaims.Cli.CliOptions;

namespace Oaims.Cli;

/// <summary>
/// `oaims demo`: a client session against a sidecar (--server URL, or one started inside this process): uploads a
/// phantom (3D for 1-channel models, 2D RGB for 3-channel ones) or --image with its --label, plays clicks of the simulated
/// user on one slice, and prints per-click Dice, the adaptation steps as they stream in, and the latency split; then commits.
/// With --benchmark FILE it instead measures click latency in-process and over gRPC and writes the figures to FILE.
/// </summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var server = Optional("--server", "sidecar URL, e.g. http://127.0.0.1:50051 (default: start one inside this process)");
        var models = WithDefault("--models", "models", "checkpoint folder for the server started inside this process (without --server)");
        var model = Optional("--model", "model to use (default: brain-flair if the server has it, else its first model)");
        var workspace = Optional("--workspace", "workspace to click in (default: demo-<model>, created when missing)");
        var image = Optional("--image", "image file to upload instead of a phantom (needs --label for the simulated user)");
        var label = Optional("--label", "ground-truth label file of --image");
        var clicks = WithDefault("--clicks", 10, "clicks of the simulated user");
        var targetClass = WithDefault("--class", 1, "class to segment");
        var token = Optional("--token", "bearer token (default: $OAIMS_TOKEN)");
        var device = WithDefault("--device", "auto", "device of the server started inside this process, and of the in-process benchmark");
        var benchmark = Optional("--benchmark", "measure click latency in-process and over gRPC instead, and write the figures to this Markdown file (e.g. docs/benchmarks.md)");
        var rounds = WithDefault("--rounds", 5, "benchmark: rounds of --clicks clicks per mode");
        var untrained = new Option<bool>("--untrained") { Description = "benchmark: use an untrained default-size model (UNetConfig.Default) instead of --model" };

        var command = new Command("demo", "Play the simulated user against the sidecar over gRPC and show Dice, adaptation steps and latency.");
        foreach (var o in new Option[] { server, models, model, workspace, image, label, clicks, targetClass, token, device, benchmark, rounds, untrained })
            command.Options.Add(o);
        command.SetAction(async (parse, cancellation) =>
        {
            try
            {
                int clickCount = parse.GetValue(clicks);
                if (clickCount is < 1 or > 100) throw new ArgumentException("--clicks must be between 1 and 100.");
                if (parse.GetValue(benchmark) is { } output)
                {
                    var settings = new LatencyBenchmark.Settings(parse.GetValue(model), parse.GetValue(models)!, parse.GetValue(untrained), clickCount,
                        parse.GetValue(rounds), parse.GetValue(device)!, parse.GetValue(server), parse.GetValue(token) ?? Environment.GetEnvironmentVariable("OAIMS_TOKEN"));
                    await LatencyBenchmark.RunAsync(settings, output, Console.Out, cancellation);
                    return 0;
                }
                await using var embedded = parse.GetValue(server) is null ? await ServeCommand.StartEmbeddedAsync(parse.GetValue(models), parse.GetValue(device)!) : null;
                var address = embedded?.Address ?? new Uri(parse.GetValue(server)!);
                using var client = new RemoteClient(address, parse.GetValue(token) ?? Environment.GetEnvironmentVariable("OAIMS_TOKEN"));
                var (picture, truth, description) = LoadCase(parse.GetValue(image), parse.GetValue(label));
                await PlayAsync(client, picture, truth, description, parse.GetValue(model), parse.GetValue(workspace), parse.GetValue(targetClass), clickCount, Console.Out, cancellation);
                return 0;
            }
            catch (RpcException e)
            {
                Console.Error.WriteLine($"oaims: the server said {e.StatusCode}: {e.Status.Detail}");
                return 1;
            }
            catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or ImageFormatException or Learning.TorchUnavailableException)
            {
                Console.Error.WriteLine($"oaims: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    /// <summary>The result of a demo run, for tests: Dice after each click, the version after commit, whether GetMask matched the
    /// deltas, the Dice of each click's first mask, and whether every first mask was shown before that click's first step.</summary>
    public sealed record DemoResult(IReadOnlyList<double> Dice, long CommittedVersion, bool MaskMatches, IReadOnlyList<double> FirstMaskDice, bool FirstMasksBeforeSteps);

    /// <summary>Uploads, opens a session, plays the simulated user's clicks on the slice with the most target voxels, commits.</summary>
    public static async Task<DemoResult> PlayAsync(RemoteClient client, Volume? image, Volume? truth, string? description, string? modelName, string? workspaceName,
        int targetClass, int clicks, TextWriter output, CancellationToken cancellation = default)
    {
        var capabilities = await client.CapabilitiesAsync(cancellation);
        if (capabilities.Models.Count == 0) throw new ArgumentException($"The server at {client.Address} has no model: start it with --models pointing at a folder of checkpoints.");
        var model = modelName is null
            ? capabilities.Models.FirstOrDefault(m => m.Name == "brain-flair") ?? capabilities.Models[0]
            : capabilities.Models.FirstOrDefault(m => m.Name == modelName)
              ?? throw new ArgumentException($"The server has no model '{modelName}'; it has {string.Join(", ", capabilities.Models.Select(m => m.Name))}.");
        output.WriteLine($"Server {client.Address.ToString().TrimEnd('/')}: OAIMS {capabilities.ServerVersion} on {capabilities.Device}; model {model.Name} ({model.Task}: {string.Join(", ", model.ClassNames)}; {model.ImageChannels} channel(s))");
        if (targetClass < 1 || targetClass >= model.ClassNames.Count) throw new ArgumentException($"--class must be 1 to {model.ClassNames.Count - 1} for {model.Name}.");

        if (image is null)
        {
            (image, truth) = Phantoms(model.ImageChannels);
            description = image.Dims[2] > 1 ? "3D phantom" : "2D RGB phantom";
        }
        if (truth is null) throw new ArgumentException("The simulated user needs the ground truth: give --label with --image.");
        var workspace = await EnsureWorkspaceAsync(client, workspaceName ?? $"demo-{model.Name}", model.Name, cancellation);
        output.WriteLine($"Workspace {workspace.Name}: strategy {workspace.Strategy}, model version {workspace.ModelVersion}");

        var reference = await client.UploadAsync(image, description, cancellation: cancellation);
        output.WriteLine($"Image: {description} {string.Join("x", reference.Dims)}, {reference.Channels} channel(s), id {reference.ImageId[..12]}{(reference.AlreadyKnown ? " (already on the server: nothing sent)" : "")}");

        int k = SliceWithMostTarget(truth, targetClass);
        var truthSlice = TruthSlice(truth, k);
        var structure = new Structure(model.ClassNames[targetClass], [targetClass]);
        var session = await client.OpenSessionAsync(workspace.Name, reference.ImageId, targetClass, cancellation: cancellation);
        output.WriteLine($"Session {session.SessionId[..8]}: clicking on axial slice k={k} (axis 2), target class {targetClass} ({structure.Name})");

        var mask = new RemoteMask(session.Dims.ToArray());
        var dice = new List<double>();
        var firstDice = new List<double>();
        bool firstBeforeSteps = true;
        try
        {
            for (int n = 1; n <= clicks; n++)
            {
                var next = n == 1 ? SimulatedUser.FirstClick(truthSlice) : SimulatedUser.NextClick(truthSlice, mask.AxialSlice(k));
                if (next is not Interaction.Click c) { output.WriteLine("The mask matches the truth on this slice: no click left to make."); break; }
                var steps = new List<string>();
                bool shown = false;
                // The first mask is shown at once; the refined one, when the steps changed the weights, replaces it.
                var reply = await client.ClickAsync(session.SessionId, new Service.V1.Click { Axis = 2, I = c.X, J = c.Y, K = k, ClassIndex = c.Class },
                    step =>
                    {
                        firstBeforeSteps &= shown;
                        steps.Add($"{step.Kind} loss {step.Loss:F4} ({step.Milliseconds:F0} ms{(step.Applied ? "" : ", skipped")})");
                    }, cancellation: cancellation, onFirstMask: first =>
                    {
                        shown = true;
                        mask.Apply(first.Delta);
                        firstDice.Add(Dice.Of(truthSlice, mask.AxialSlice(k), structure));
                    });
                if (reply.Summary.Refined) mask.Apply(reply.Mask.Delta);
                dice.Add(Dice.Of(truthSlice, mask.AxialSlice(k), structure));
                var l = reply.Summary.Latency;
                output.WriteLine($"click {n,2} {(c.Class == 0 ? "(-)" : "(+)")} at ({c.X}, {c.Y}, {k}): first mask Dice {firstDice[^1]:F3} after {reply.FirstMaskClientMilliseconds:F0} ms" +
                                 (reply.Summary.Refined ? $", refined Dice {dice[^1]:F3}" : ", not refined") + $"  v{reply.Summary.ModelVersion}  " +
                                 $"[{(steps.Count == 0 ? "no adaptation" : string.Join("; ", steps))}]  " +
                                 $"server {l.TotalMs:F0} ms (queue {l.QueueMs:F1}, forward {l.ForwardMs:F0}, adaptation {l.AdaptationMs:F0}, encode {l.EncodeMs:F1}), round trip {reply.ClientMilliseconds:F0} ms");
            }
            var commit = await client.CommitAsync(session.SessionId, cancellation: cancellation);
            output.WriteLine($"Commit: {(commit.Steps.Count == 0 ? "no post-interaction steps" : string.Join("; ", commit.Steps.Select(s => $"{s.Kind} loss {s.Loss:F4} ({s.Milliseconds:F0} ms)")))}; " +
                             $"model version {commit.Summary.ModelVersion} ({commit.Summary.Latency.TotalMs:F0} ms)");
            var server = await client.GetMaskAsync(session.SessionId, cancellation: cancellation);
            bool matches = server.Labels.AsSpan().SequenceEqual(mask.Labels);
            output.WriteLine($"Mask: GetMask {(matches ? "matches" : "DIFFERS FROM")} the streamed deltas; {server.Labels.Count(b => b == targetClass)} voxels of class {targetClass}.");
            if (dice.Count > 0) output.WriteLine($"Dice: {dice[0]:F3} after click 1 -> {dice[^1]:F3} after click {dice.Count}.");
            return new DemoResult(dice, commit.Summary.ModelVersion, matches, firstDice, firstBeforeSteps);
        }
        finally
        {
            try { await client.CloseSessionAsync(session.SessionId, CancellationToken.None); }
            catch (RpcException) { /* the demo's result stands; the lease frees the session anyway */ }
        }
    }

    /// <summary>The workspace, created with the server's default strategy when it does not exist yet.</summary>
    public static async Task<WorkspaceInfo> EnsureWorkspaceAsync(RemoteClient client, string name, string model, CancellationToken cancellation)
    {
        try
        {
            return await client.Retrying(t => client.Workspaces.GetWorkspaceAsync(new GetWorkspaceRequest { Workspace = name }, cancellationToken: t).ResponseAsync, cancellation);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return await client.Workspaces.CreateWorkspaceAsync(new CreateWorkspaceRequest { Name = name, Model = model }, cancellationToken: cancellation);
        }
    }

    /// <summary>The demo's default images: a 3D lesion phantom for 1-channel models, a tinted 2D RGB one (8-bit range) for 3-channel models.</summary>
    public static (Volume Image, Volume Truth) Phantoms(int channels, int seed = 7)
    {
        if (channels == 1)
        {
            var phantom = Phantom.Generate3D(160, 160, 12, seed);
            return (phantom.Image, phantom.Label);
        }
        var flat = Phantom.Generate2D(192, 192, seed);
        var tints = new[] { 255f, 190f, 120f, 90f };
        var rgb = Enumerable.Range(0, channels).Select(c => flat.Image.Channels[0].Select(v => Math.Clamp(v * tints[c % 4], 0, 255)).ToArray()).ToArray();
        return (new Volume(flat.Image.Dims, rgb, flat.Image.IjkToRas, "uint8"), flat.Label);
    }

    static (Volume? Image, Volume? Truth, string? Description) LoadCase(string? imagePath, string? labelPath)
    {
        if (imagePath is null) return (null, null, null);
        var image = VolumeIO.Read(imagePath);
        var truth = labelPath is null ? null : VolumeIO.Read(labelPath);
        if (truth is not null && !truth.Dims.SequenceEqual(image.Dims))
            throw new ArgumentException($"--label is {string.Join("x", truth.Dims)} but --image is {string.Join("x", image.Dims)}.");
        return (image, truth, Path.GetFileName(imagePath));
    }

    /// <summary>The axial slice (axis 2) holding the most voxels of the class.</summary>
    public static int SliceWithMostTarget(Volume truth, int targetClass)
    {
        int[] dims = truth.Dims, best = [0, -1];
        int plane = dims[0] * dims[1];
        for (int k = 0; k < dims[2]; k++)
        {
            int count = 0;
            for (int v = 0; v < plane; v++) if ((int)Math.Round(truth.Channels[0][k * plane + v]) == targetClass) count++;
            if (count > best[1]) best = [k, count];
        }
        return best[0];
    }

    public static LabelMap TruthSlice(Volume truth, int k)
    {
        int plane = truth.Dims[0] * truth.Dims[1];
        return new LabelMap(truth.Dims[0], truth.Dims[1], truth.Channels[0].AsSpan(k * plane, plane).ToArray().Select(v => (int)Math.Round(v)).ToArray());
    }
}
