using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Oaims.Learning.Network;

/// <summary>
/// The interactive network of the method (ICNN): a plain 2D U-Net whose input is the image
/// channels followed by one Gaussian guidance map per class, and whose output is per-class logits.
/// </summary>
/// <remarks>
/// InstanceNorm without affine parameters and no dropout/BatchNorm, so training and evaluation
/// behave identically on batches of one (adaptation). Parameter names (e1.conv.conv1.weight, b.conv1.bias,
/// d1.up.weight, outputs.weight, ...) match the reference PyTorch code so state dicts map one to one.
/// </remarks>
public sealed class InteractiveUNet : Module<Tensor, Tensor>
{
    readonly ModuleList<EncoderBlock> _encoders = new();
    readonly ConvBlock b;
    readonly ModuleList<DecoderBlock> _decoders = new();
    readonly Conv2d outputs;

    public UNetConfig Config { get; }

    /// <param name="device">Where the weights live (null: LibTorch's default, the CPU); a workspace passes its own.</param>
    public InteractiveUNet(UNetConfig config, Device? device = null) : base(nameof(InteractiveUNet))
    {
        TorchRuntime.EnsureLoaded(); // before the first convolution: see TorchRuntime.LimitOneDnnToAvx2
        Config = config;
        int[] widths = config.EncoderWidths;
        int inC = config.InputChannels;
        for (int level = 0; level < widths.Length; level++)
        {
            _encoders.Add(new EncoderBlock(inC, widths[level]));
            inC = widths[level];
        }
        b = new ConvBlock(inC, config.BottleneckWidth);
        int below = config.BottleneckWidth;
        for (int level = widths.Length - 1; level >= 0; level--)
        {
            _decoders.Add(new DecoderBlock(below, widths[level]));
            below = widths[level];
        }
        outputs = Conv2d(widths[0], config.Classes, 1);

        // Register under the reference names (e1..eN, b, d1..dN, outputs) rather than list indices.
        for (int i = 0; i < _encoders.Count; i++) register_module($"e{i + 1}", _encoders[i]);
        register_module("b", b);
        for (int i = 0; i < _decoders.Count; i++) register_module($"d{i + 1}", _decoders[i]);
        register_module("outputs", outputs);
        if (device is not null) this.to(device);
    }

    /// <summary>The device the weights live on; tensors made for this network are made there.</summary>
    public Device Device => parameters().First().device;

    /// <summary>Logits (N, Classes, H, W) for input (N, ImageChannels + Classes, H, W).</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var skips = new List<Tensor>();
        Tensor x = input;
        foreach (var encoder in _encoders)
        {
            var features = encoder.conv.forward(x);
            skips.Add(features);
            x = functional.max_pool2d(features, 2);
        }
        x = b.forward(x);
        for (int i = 0; i < _decoders.Count; i++)
            x = _decoders[i].forward(x, skips[skips.Count - 1 - i]);
        return outputs.forward(x).MoveToOuterDisposeScope();
    }

    public long ParameterCount() => parameters().Sum(p => p.numel());

    /// <summary>Two (3x3 conv, InstanceNorm without affine, ReLU) in a row.</summary>
    public sealed class ConvBlock : Module<Tensor, Tensor>
    {
        readonly Conv2d conv1, conv2;

        public ConvBlock(int inC, int outC) : base(nameof(ConvBlock))
        {
            conv1 = Conv2d(inC, outC, 3, padding: 1);
            conv2 = Conv2d(outC, outC, 3, padding: 1);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var h = functional.relu(functional.instance_norm(conv1.forward(x)));
            return functional.relu(functional.instance_norm(conv2.forward(h)));
        }
    }

    /// <summary>A conv block whose output is kept as the skip connection, then max-pooled.</summary>
    public sealed class EncoderBlock : Module<Tensor, Tensor>
    {
        public readonly ConvBlock conv;

        public EncoderBlock(int inC, int outC) : base(nameof(EncoderBlock))
        {
            conv = new ConvBlock(inC, outC);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => conv.forward(x);
    }

    /// <summary>2x2 transposed conv up, concatenation with the skip, conv block.</summary>
    public sealed class DecoderBlock : Module<Tensor, Tensor, Tensor>
    {
        readonly ConvTranspose2d up;
        readonly ConvBlock conv;

        public DecoderBlock(int inC, int outC) : base(nameof(DecoderBlock))
        {
            up = ConvTranspose2d(inC, outC, 2, stride: 2);
            conv = new ConvBlock(outC * 2, outC);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x, Tensor skip)
        {
            using var upsampled = up.forward(x);
            using var joined = cat([upsampled, skip], 1);
            return conv.forward(joined);
        }
    }
}
