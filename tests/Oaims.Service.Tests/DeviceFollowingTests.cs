using System.Text.RegularExpressions;

namespace Oaims.Service.Tests;

/// <summary>
/// Every tensor and module a workspace makes lives on the workspace's device: no code outside TorchRuntime (the one place
/// that picks the device) names a device, every tensor factory call says where it makes the tensor, and every network is
/// built on a device. A source scan, because this machine has no GPU to catch a CPU tensor meeting a CUDA one.
/// Offline training (src/Oaims.Learning/Training: `oaims train` has no --device) and the CLI are outside a workspace.
/// </summary>
public sealed partial class DeviceFollowingTests
{
    [Fact]
    public void No_workspace_code_creates_a_tensor_or_a_network_on_a_hard_coded_or_default_device()
    {
        string root = Checkout.Root;
        var files = new[] { "src/Oaims.Learning", "src/Oaims.Service" }
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(root, folder), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Where(f => !f.Contains(Path.Combine("Oaims.Learning", "Training")) && Path.GetFileName(f) != "TorchRuntime.cs")
            .ToList();
        Assert.True(files.Count > 50, $"the scan found only {files.Count} files under {root}");
        var findings = files.SelectMany(f => Findings(File.ReadAllText(f)).Select(x => $"{Path.GetRelativePath(root, f)}: {x}")).ToList();
        Assert.True(findings.Count == 0, string.Join("\n", findings));
    }

    [Theory]
    [InlineData("var t = torch.zeros(3, 3);", "no device")]
    [InlineData("var t = tensor(data, [1, 2]);", "no device")]
    [InlineData("using var x = a.to(CPU);", "names a device")]
    [InlineData("if (d.type == DeviceType.CUDA) { }", "names a device")]
    [InlineData("var teacher = new InteractiveUNet(network.Config);", "network built without a device")]
    public void The_scan_flags_each_kind_of_hard_coded_device(string code, string expected) =>
        Assert.Contains(Findings(code), f => f.Contains(expected));

    [Theory]
    [InlineData("var t = tensor(data, [1, 2], device: logits.device);")]
    [InlineData("var n = zeros(n, classes, h, w, device: modelLogits.device); // CPU in a comment is fine")]
    [InlineData("var copy = new InteractiveUNet(network.Config, network.Device);")]
    [InlineData("var host = value.detach().cpu().contiguous();")]
    [InlineData("var y = x.zeros_like(); var z = m.ones(2);")]
    public void The_scan_accepts_device_following_code(string code) => Assert.Empty(Findings(code));

    static IEnumerable<string> Findings(string source)
    {
        string code = string.Join("\n", source.Split('\n').Select(line => line.Contains("//") ? line[..line.IndexOf("//", StringComparison.Ordinal)] : line));
        foreach (string statement in code.Split(';'))
        {
            string flat = Regex.Replace(statement, @"\s+", " ").Trim();
            if (NamedDevice().IsMatch(flat)) yield return $"names a device: {flat}";
            if (TensorFactory().IsMatch(flat) && !flat.Contains("device:", StringComparison.Ordinal)) yield return $"tensor made with no device: {flat}";
            foreach (Match m in NewNetwork().Matches(flat))
                if (!HasSecondArgument(flat, m.Index + m.Length)) yield return $"network built without a device: {flat}";
        }
    }

    // True when the argument list starting at `open` (just after "(") has a comma at its own nesting level.
    static bool HasSecondArgument(string text, int open)
    {
        int depth = 0;
        for (int i = open; i < text.Length; i++)
        {
            char c = text[i];
            if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']' or '}') { if (depth-- == 0) return false; }
            else if (c == ',' && depth == 0) return true;
        }
        return false;
    }

    [GeneratedRegex(@"\b(CPU|CUDA)\b|DeviceType\.|torch\.device\(|new Device\(")]
    private static partial Regex NamedDevice();

    [GeneratedRegex(@"(?<![\w.])(?:torch\.)?(zeros|ones|tensor|arange|full|randn|rand|empty|eye|linspace|randint|from_array)\(")]
    private static partial Regex TensorFactory();

    [GeneratedRegex(@"new InteractiveUNet\(")]
    private static partial Regex NewNetwork();
}
