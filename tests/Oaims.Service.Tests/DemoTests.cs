using Oaims.Cli;

namespace Oaims.Service.Tests;

[Collection("server")]
public sealed class DemoTests(ServerFixture server)
{
    [Fact]
    public async Task The_demo_plays_clicks_over_grpc_commits_and_its_deltas_match_GetMask()
    {
        var phantom = TestImages.Brain3D(seed: 3);
        var output = new StringWriter();
        var result = await DemoCommand.PlayAsync(server.Client, phantom.Image, phantom.Label, "tiny phantom", TinyModels.Brain, null, 1, 4, output);
        Assert.Equal(4, result.Dice.Count);
        Assert.True(result.MaskMatches);
        Assert.True(result.CommittedVersion > 0);
        Assert.Equal(4, result.FirstMaskDice.Count); // every click showed its first mask ...
        Assert.True(result.FirstMasksBeforeSteps); // ... before its first adaptation step
        Assert.Contains("first mask Dice", output.ToString());
        Assert.Contains("refined Dice", output.ToString());
        Assert.Contains("click  1", output.ToString());
        Assert.Contains("Commit:", output.ToString());
        Assert.Contains($"demo-{TinyModels.Brain}", output.ToString());
    }

    [Fact]
    public void The_benchmark_replaces_only_its_own_section_of_the_file()
    {
        string file = Path.Combine(Path.GetTempPath(), $"bench-{Guid.NewGuid():N}.md");
        File.WriteAllText(file, "# Benchmarks\n\n## Training speed\n\nkept\n");
        string Section(string body) => "<!-- BEGIN click latency: gRPC vs in-process (written by `oaims demo --benchmark`) -->\n" + body + "\n<!-- END click latency: gRPC vs in-process -->\n";
        LatencyBenchmark.WriteSection(file, Section("first"));
        LatencyBenchmark.WriteSection(file, Section("second"));
        string text = File.ReadAllText(file);
        Assert.Contains("## Training speed\n\nkept", text);
        Assert.Contains("second", text);
        Assert.DoesNotContain("first", text);
        File.Delete(file);
    }
}
