using System.Globalization;

namespace Oaims.Cli;

/// <summary>
/// This CPU's theoretical fp32 peak, from /proc/cpuinfo: cores x clock x FLOPs per cycle per core. The FLOPs per cycle
/// follow the vector units LibTorch may use here: oneDNN is limited to AVX2 (TorchRuntime), so with FMA two 256-bit
/// fused multiply-add units give 2 x 8 x 2 = 32 (x86 cores since Haswell and Zen have two); AVX without FMA 16; else 8.
/// </summary>
/// <param name="Clock">GHz as /proc/cpuinfo's "cpu MHz" says: a VM often shows the nominal clock, and boost runs above it.</param>
public sealed record CpuPeak(string Model, int Cores, double Clock, int FlopsPerCycle)
{
    public double Gflops => Cores * Clock * FlopsPerCycle;

    public string Derivation => $"{Cores} cores x {Clock:F2} GHz x {FlopsPerCycle} fp32 FLOP/cycle = {Gflops:F0} GFLOP/s";

    /// <summary>The peak of this machine, or null where /proc/cpuinfo is missing or lacks a clock.</summary>
    public static CpuPeak? OfThisMachine()
    {
        if (!File.Exists("/proc/cpuinfo")) return null;
        var fields = File.ReadLines("/proc/cpuinfo").Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
            .GroupBy(p => p[0].Trim()).ToDictionary(g => g.Key, g => g.First()[1].Trim());
        if (!fields.TryGetValue("cpu MHz", out var mhz) || !double.TryParse(mhz, NumberStyles.Float, CultureInfo.InvariantCulture, out double megahertz))
            return null;
        var flags = fields.GetValueOrDefault("flags", "").Split(' ').ToHashSet();
        int perCycle = flags.Contains("avx2") && flags.Contains("fma") ? 32 : flags.Contains("avx") ? 16 : 8;
        return new CpuPeak(fields.GetValueOrDefault("model name", "unknown CPU"), Environment.ProcessorCount, megahertz / 1000, perCycle);
    }
}
