using System.Security.Cryptography;
using System.Text.Json;
using Oaims.Learning;
using Oaims.Learning.Checkpoints;
using Oaims.Learning.Network;
using static Oaims.Service.Tests.OaimsProcess;
using static TorchSharp.torch;

namespace Oaims.Service.Tests;

/// <summary>`oaims import-model` and `oaims export-model` against Debian's PyTorch (python3-torch).</summary>
public sealed class ModelInteropTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("oaims-interop-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    string In(string name) => Path.Combine(_folder, name);

    [Fact]
    public void Export_model_writes_a_state_dict_that_torch_loads_with_the_same_tensors()
    {
        string models = TinyModels.Write(In("models")), exported = In("tiny.pt"), dumped = In("tensors.json");
        Assert.Equal(0, RunOaims("export-model", "--model", Path.Combine(models, TinyModels.Brain), "--out", exported).ExitCode);

        var python = Python("-c", "import json, sys, torch\n" +
                                  "state = torch.load(sys.argv[1])\n" +
                                  "json.dump({k: {'shape': list(v.shape), 'values': v.flatten().tolist()} for k, v in state.items()}, open(sys.argv[2], 'w'))",
                            exported, dumped);
        Assert.True(python.ExitCode == 0, "torch.load failed: " + python.Errors);

        var fromTorch = JsonSerializer.Deserialize<Dictionary<string, DumpedTensor>>(File.ReadAllText(dumped))!;
        var (network, _) = Checkpoint.Load(Path.Combine(models, TinyModels.Brain));
        var ours = Checkpoint.StateEntries(network).ToList();
        Assert.Equal(ours.Select(e => e.Name).Order(), fromTorch.Keys.Order());
        foreach (var entry in ours)
        {
            Assert.Equal(entry.Shape, fromTorch[entry.Name].Shape);
            Assert.Equal(entry.Data, fromTorch[entry.Name].Values.Select(v => (float)v).ToArray());
        }
    }

    sealed record DumpedTensor(
        [property: System.Text.Json.Serialization.JsonPropertyName("shape")] long[] Shape,
        [property: System.Text.Json.Serialization.JsonPropertyName("values")] double[] Values);

    [Fact]
    public void A_reference_width_state_dict_saved_by_torch_imports_and_forwards_like_the_python_peer()
    {
        // The peer loads a state dict of ours first, then saves a freshly initialised one of its own with torch.save.
        var reference = UNetConfig.Reference(1, 2);
        TorchRuntime.EnsureLoaded();
        manual_seed(5);
        using (var ours = new InteractiveUNet(reference)) PyTorchStateDict.Export(ours, In("ours.pt"));
        using var input = randn(1, reference.InputChannels, 32, 32);
        File.WriteAllBytes(In("input.bin"), input.bytes.ToArray());
        var peer = Python(Path.Combine(AppContext.BaseDirectory, "Peer", "unet_peer.py"), "12,72,144,288", "576", "3", "2",
                          In("ours.pt"), In("input.bin"), In("ours_out.bin"), In("python.pt"), In("python_out.bin"));
        Assert.True(peer.ExitCode == 0, "The PyTorch peer failed: " + peer.Errors);

        var imported = RunOaims("import-model", "--state-dict", In("python.pt"), "--widths", "reference", "--task", "brain-lesion", "--out", In("imported"));
        Assert.True(imported.ExitCode == 0, imported.Errors);

        var (network, card) = Checkpoint.Load(In("imported"));
        Assert.Equal([12, 72, 144, 288], card.Architecture.EncoderWidths);
        Assert.Equal(OriginCard.PyTorchImport, card.Origin!.Kind);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(In("python.pt")))), card.Origin.SourceSha256);
        float[] ourLogits;
        using (no_grad())
        using (var output = network.forward(input)) ourLogits = output.data<float>().ToArray();
        var pythonLogits = MemoryMarshalFloats(File.ReadAllBytes(In("python_out.bin")));
        Assert.Equal(pythonLogits.Length, ourLogits.Length);
        double worst = ourLogits.Zip(pythonLogits).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(worst < 1e-4, $"Largest difference from the peer's logits: {worst}.");
    }

    static float[] MemoryMarshalFloats(byte[] bytes) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();

    [Fact]
    public void A_state_dict_of_other_widths_is_refused_with_one_sentence_naming_both_and_writes_nothing()
    {
        string models = TinyModels.Write(In("models"));
        Assert.Equal(0, RunOaims("export-model", "--model", Path.Combine(models, TinyModels.Brain), "--out", In("tiny.pt")).ExitCode);

        string error = AssertRefused(RunOaims("import-model", "--state-dict", In("tiny.pt"), "--widths", "reference", "--task", "brain-lesion", "--out", In("imported")));

        Assert.Contains("holds widths 4,8+8, not 12,72,144,288+576", error);
        Assert.False(Directory.Exists(In("imported")));
    }

    [Theory]
    [InlineData("text", "is not a PyTorch state dict")]
    [InlineData("missing", "No PyTorch state dict at")]
    [InlineData("zip", "could not be read as a PyTorch state dict")]
    public void A_file_that_is_not_a_state_dict_is_refused_with_one_sentence(string kind, string expected)
    {
        string path = In("model.pt");
        if (kind == "text") File.WriteAllText(path, "not a model\n");
        if (kind == "zip")
        {
            using var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Create);
            using var writer = new StreamWriter(zip.CreateEntry("archive/readme.txt").Open());
            writer.Write("a zip archive without data.pkl");
        }

        string error = AssertRefused(RunOaims("import-model", "--state-dict", path, "--widths", "default", "--task", "brain-lesion", "--out", In("imported")));

        Assert.Contains(expected, error);
        Assert.False(Directory.Exists(In("imported")));
    }

    [Fact]
    public void Export_model_refuses_an_unknown_model_with_one_sentence()
    {
        string error = AssertRefused(RunOaims("export-model", "--model", In("no-such-model"), "--out", In("out.pt")));
        Assert.Contains("No model", error);
        Assert.False(File.Exists(In("out.pt")));
    }

    [Fact]
    public void Widths_that_are_not_understood_are_refused_with_one_sentence()
    {
        string error = AssertRefused(RunOaims("import-model", "--state-dict", In("any.pt"), "--widths", "8,16+x", "--task", "brain-lesion", "--out", In("imported")));
        Assert.Contains("Widths '8,16+x' are not understood", error);
    }
}
