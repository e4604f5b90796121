using Oaims.Learning;
using Oaims.Learning.Network;
using TorchSharp;
using static TorchSharp.torch;

namespace Oaims.Learning.Tests;

public class TorchRuntimeTests
{
    [Fact]
    public void LibTorchLoadsAndRunsAForwardAndBackwardPass()
    {
        TorchRuntime.EnsureLoaded();
        using var scope = NewDisposeScope();
        var net = new InteractiveUNet(UNetConfig.Default(1, 2));
        var input = randn(2, 3, 32, 32);
        var logits = net.forward(input);
        Assert.Equal(new long[] { 2, 2, 32, 32 }, logits.shape);

        logits.square().mean().backward();
        var grads = net.parameters().Select(p => p.grad).ToList();
        Assert.All(grads, g => Assert.NotNull(g));
        Assert.Contains(grads, g => g!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void NnpackIsSwitchedOffOnceLibTorchIsLoaded_SoItsStartUpFailureCannotBeLoggedPerConvolution()
    {
        TorchRuntime.EnsureLoaded();
        Assert.False(TorchRuntime.NnpackEnabled); // null would mean the switch was not found on Linux
        using var scope = NewDisposeScope();
        // A batch of 16 is where LibTorch would consult NNPACK; the convolution runs on oneDNN all the same.
        var conv = nn.Conv2d(2, 4, 3, padding: 1);
        Assert.Equal(new long[] { 16, 4, 8, 8 }, conv.forward(randn(16, 2, 8, 8)).shape);
    }

    [Fact]
    public void ParameterNamesFollowTheReferenceImplementation()
    {
        var net = new InteractiveUNet(UNetConfig.Reference(1, 2));
        var names = net.state_dict().Keys.ToHashSet();
        foreach (var expected in new[] { "e1.conv.conv1.weight", "e4.conv.conv2.bias", "b.conv1.weight", "d1.up.weight", "d4.conv.conv2.weight", "outputs.bias" })
            Assert.Contains(expected, names);
        Assert.Equal((18 + 4 + 1) * 2, names.Count); // 18 convs, 4 transposed convs, 1 head: weight + bias each
    }
}
