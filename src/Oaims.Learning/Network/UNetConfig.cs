namespace Oaims.Learning.Network;

/// <summary>Shape of the interactive U-Net: encoder widths (one per down level), bottleneck width, inputs and classes.</summary>
/// <param name="ImageChannels">Image channels (1 for MRI, 3 for RGB fundus).</param>
/// <param name="Classes">Output classes including background; one guidance map per class is appended to the input.</param>
/// <param name="EncoderWidths">Feature widths of the encoder levels, highest resolution first.</param>
/// <param name="BottleneckWidth">Width of the lowest-resolution block.</param>
public sealed record UNetConfig(int ImageChannels, int Classes, int[] EncoderWidths, int BottleneckWidth)
{
    public int InputChannels => ImageChannels + Classes;

    /// <summary>The input side must be divisible by this (one halving per encoder level).</summary>
    public int SizeMultiple => 1 << EncoderWidths.Length;

    /// <summary>OAIMS's default: fast enough for an interactive click on a 2-core CPU at 256x256 (see README).</summary>
    public static UNetConfig Default(int imageChannels, int classes) => new(imageChannels, classes, [8, 16, 32, 64, 128], 256);

    /// <summary>The reference implementation's widths (12/72/144/288, 576 bottleneck), for importing its checkpoints.</summary>
    public static UNetConfig Reference(int imageChannels, int classes) => new(imageChannels, classes, [12, 72, 144, 288], 576);

    /// <summary>"reference", "default", or explicit widths "a,b,c,d+e" (encoder widths, then the bottleneck after '+').</summary>
    public static UNetConfig Parse(string widths, int imageChannels, int classes)
    {
        switch (widths.Trim().ToLowerInvariant())
        {
            case "reference": return Reference(imageChannels, classes);
            case "default": return Default(imageChannels, classes);
        }
        var parts = widths.Split('+');
        int[]? encoder = parts.Length == 2 ? ParseWidths(parts[0]) : null;
        int[]? bottleneck = parts.Length == 2 ? ParseWidths(parts[1]) : null;
        if (encoder is null || encoder.Length == 0 || bottleneck is not [var b])
            throw new ArgumentException($"Widths '{widths}' are not understood: use reference, default, or encoder widths and the bottleneck like 12,72,144,288+576.");
        return new(imageChannels, classes, encoder, b);
    }

    /// <summary>
    /// Floating-point operations of one forward pass at side x side (batch 1): 2 per multiply-add of every convolution
    /// (3x3 blocks, 2x2 stride-2 transposed convolutions, the 1x1 output). Normalisation, ReLU, pooling and bias are left
    /// out: under 1% here, and they are memory-bound, not what a FLOP rate measures.
    /// </summary>
    public double ForwardFlops(int side)
    {
        double macs = 0;
        int inC = InputChannels;
        double Pixels(int level) => Math.Pow(side >> level, 2);
        double Block(int inputs, int outputs, int level) => 9.0 * (inputs * outputs + outputs * outputs) * Pixels(level);
        for (int level = 0; level < EncoderWidths.Length; level++)
        {
            macs += Block(inC, EncoderWidths[level], level);
            inC = EncoderWidths[level];
        }
        macs += Block(inC, BottleneckWidth, EncoderWidths.Length);
        int below = BottleneckWidth;
        for (int level = EncoderWidths.Length - 1; level >= 0; level--)
        {
            int width = EncoderWidths[level];
            macs += (double)below * width * Pixels(level); // each input pixel feeds a 2x2 output patch: one MAC per output pixel and channel pair
            macs += Block(2 * width, width, level);
            below = width;
        }
        macs += (double)EncoderWidths[0] * Classes * Pixels(0);
        return 2 * macs;
    }

    static int[]? ParseWidths(string list)
    {
        var widths = list.Split(',', StringSplitOptions.TrimEntries).Select(w => int.TryParse(w, out int v) && v is > 0 and <= 4096 ? v : -1).ToArray();
        return widths.Contains(-1) ? null : widths;
    }
}
