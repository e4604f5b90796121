using System.Diagnostics;
using Oaims.Learning.Checkpoints;
using Oaims.Learning.Network;
using static TorchSharp.torch;

namespace Oaims.Learning.Tests;

public sealed class CheckpointTests : IDisposable
{
    readonly string _folder = Path.Combine(Path.GetTempPath(), "oaims-ckpt-" + Guid.NewGuid().ToString("N"));

    public void Dispose() { if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true); }

    static float[] Forward(InteractiveUNet network, Tensor input)
    {
        using var noGrad = no_grad();
        using var output = network.forward(input);
        return output.data<float>().ToArray();
    }

    [Fact]
    public void ASavedCheckpointLoadsToTheSameOutputsAndLeavesNoTemporaryFiles()
    {
        var (network, card) = TinyModels.Create(seed: 1);
        Checkpoint.Save(_folder, network, card);
        var (loaded, loadedCard) = Checkpoint.Load(_folder);
        var input = randn(1, 3, 32, 32);
        Assert.Equal(Forward(network, input), Forward(loaded, input));
        Assert.Equal(card.Name, loadedCard.Name);
        Assert.NotNull(loadedCard.WeightsSha256);
        Assert.Equal(["card.json", "model.safetensors"], Directory.GetFiles(_folder).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void WeightsThatDoNotMatchTheCardAreRefused()
    {
        var (network, card) = TinyModels.Create();
        Checkpoint.Save(_folder, network, card);
        var weights = Path.Combine(_folder, Checkpoint.WeightsFile);
        var bytes = File.ReadAllBytes(weights);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(weights, bytes);
        var error = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(_folder));
        Assert.Contains("SHA-256", error.Message);
    }

    [Fact]
    public void SafetensorsRejectsAByteRangeOutsideTheFile()
    {
        var bytes = Safetensors.Serialize([new Safetensors.Entry("w", [2, 2], [1, 2, 3, 4])]);
        var truncated = bytes[..^4];
        Assert.Throws<InvalidDataException>(() => Safetensors.Deserialize(truncated, "w.safetensors"));
    }

    [Fact]
    public void PyTorchReadsOurExportAndWeReadItsStateDictWithTheSameOutputs()
    {
        var config = new UNetConfig(1, 2, [4, 8], 16);
        manual_seed(3);
        var network = new InteractiveUNet(config);
        Directory.CreateDirectory(_folder);
        string exported = Path.Combine(_folder, "oaims.pt"), fromPython = Path.Combine(_folder, "python.pt");
        string inputBin = Path.Combine(_folder, "input.bin"), outputBin = Path.Combine(_folder, "output.bin"), output2Bin = Path.Combine(_folder, "output2.bin");
        PyTorchStateDict.Export(network, exported);
        var input = randn(1, 3, 32, 32);
        File.WriteAllBytes(inputBin, input.bytes.ToArray());

        string peer = Path.Combine(AppContext.BaseDirectory, "Peer", "unet_peer.py");
        var run = Process.Start(new ProcessStartInfo("/usr/bin/python3",
            [peer, "4,8", "16", "3", "2", exported, inputBin, outputBin, fromPython, output2Bin]) { RedirectStandardError = true })!;
        string stderr = run.StandardError.ReadToEnd();
        run.WaitForExit();
        Assert.True(run.ExitCode == 0, "The PyTorch peer (Debian python3-torch) failed: " + stderr);

        AssertClose(Forward(network, input), ReadFloats(outputBin));
        var imported = new InteractiveUNet(config);
        PyTorchStateDict.Import(imported, fromPython);
        AssertClose(Forward(imported, input), ReadFloats(output2Bin));
    }

    [Fact]
    public void AStateDictOfAnotherArchitectureIsRefusedWithAClearMessage()
    {
        var (network, _) = TinyModels.Create();
        Directory.CreateDirectory(_folder);
        string path = Path.Combine(_folder, "other.pt");
        PyTorchStateDict.Export(new InteractiveUNet(new UNetConfig(1, 2, [4, 8, 16], 32)), path);
        var error = Assert.Throws<InvalidDataException>(() => PyTorchStateDict.Import(network, path));
        Assert.Contains("not a PyTorch state dict of this architecture", error.Message);
    }

    static float[] ReadFloats(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(worst < 1e-4, $"Largest difference {worst} exceeds 1e-4.");
    }
}
