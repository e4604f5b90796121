using Oaims.Learning.Network;

namespace Oaims.Learning.Tests;

public class ForwardFlopsTests
{
    [Fact]
    public void Forward_flops_count_every_convolution_weight_at_its_level_once()
    {
        var config = new UNetConfig(1, 2, [8, 16, 32], 64);
        using var network = new InteractiveUNet(config);
        const int side = 64, levels = 3;

        // An independent count from the weights themselves: a convolution does (weight elements) multiply-adds per
        // output pixel; a 2x2 stride-2 transposed one per input pixel, a quarter of its output's.
        double macs = 0;
        foreach (var (name, weight) in network.named_parameters().Where(p => p.name.EndsWith(".weight")))
        {
            int Index() => int.Parse(name[1..name.IndexOf('.')]); // e1, d2, ...
            int level = name[0] switch
            {
                'e' => Index() - 1,
                'b' => levels,
                'd' => levels - Index(),
                _ => 0, // outputs: full resolution
            };
            double outputPixels = Math.Pow(side >> level, 2);
            macs += weight.numel() * (name.Contains(".up.") ? outputPixels / 4 : outputPixels);
        }

        Assert.Equal(2 * macs, config.ForwardFlops(side), precision: 0);
    }
}
