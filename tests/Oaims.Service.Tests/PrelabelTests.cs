using System.Text.Json.Nodes;
using Oaims.Cli.Prelabel;
using Oaims.Imaging;
using Oaims.Learning.Checkpoints;
using Oaims.Learning.Inference;
using static Oaims.Service.Tests.OaimsProcess;

namespace Oaims.Service.Tests;

/// <summary>`oaims prelabel` as a user runs it, on tiny models and small synthetic volumes in NIfTI and NRRD.</summary>
public sealed class PrelabelTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("oaims-prelabel-").FullName;
    readonly string _model;

    public PrelabelTests() => _model = Path.Combine(TinyModels.Write(In("models")), TinyModels.Brain);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    string In(string name) => Path.Combine(_folder, name);

    /// <summary>A 20x24x5 phantom whose geometry is no identity: spacing 0.9/1.1/3 mm, rotated about S, shifted.</summary>
    static Volume Scan(int seed)
    {
        double c = Math.Cos(0.3), s = Math.Sin(0.3);
        var affine = new double[,] { { 0.9 * c, -1.1 * s, 0, -12.5 }, { 0.9 * s, 1.1 * c, 0, 30.25 }, { 0, 0, 3, -7 }, { 0, 0, 0, 1 } };
        var phantom = Phantom.Generate3D(20, 24, 5, seed).Image;
        return new Volume(phantom.Dims, phantom.Channels, affine);
    }

    string WriteInputs(params string[] names)
    {
        string folder = In("in");
        for (int n = 0; n < names.Length; n++) VolumeIO.Write(Scan(n), Path.Combine(folder, names[n]));
        return folder;
    }

    JsonNode Summary(string outDir) => JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")))!;

    [Fact]
    public void Prelabel_writes_each_label_map_under_the_input_name_with_the_inputs_geometry_and_the_models_proposals()
    {
        string inputs = WriteInputs("a.nii.gz", "b.nrrd");

        var run = RunOaims("prelabel", "--model", _model, "--in", inputs, "--out", In("out"), "--batch", "2");

        Assert.True(run.ExitCode == 0, run.Errors);
        var (network, card) = Checkpoint.Load(_model);
        var proposer = new VolumeProposer(network, card.ToTask());
        foreach (string name in new[] { "a.nii.gz", "b.nrrd" })
        {
            var input = VolumeIO.Read(Path.Combine(inputs, name));
            var labels = VolumeIO.Read(In($"out/{name}"));
            Assert.Equal(input.Dims, labels.Dims);
            for (int r = 0; r < 4; r++)
                for (int col = 0; col < 4; col++)
                    Assert.True(Math.Abs(input.IjkToRas[r, col] - labels.IjkToRas[r, col]) <= 1e-5, $"{name}: affine[{r},{col}] {input.IjkToRas[r, col]} -> {labels.IjkToRas[r, col]}");
            Assert.Equal(proposer.Propose(input), labels.Channels[0].Select(v => (byte)v).ToArray());
        }
        var summary = Summary(In("out"));
        Assert.Equal(2, summary["files"]!.GetValue<int>());
        Assert.Equal(2, summary["ok"]!.GetValue<int>());
        Assert.Equal(10, summary["slices"]!.GetValue<long>());
        Assert.True(summary["slices_per_second"]!.GetValue<double>() > 0);
    }

    [Fact]
    public void Prelabel_seeded_by_propagation_writes_label_maps_with_the_inputs_geometry()
    {
        string inputs = WriteInputs("a.nii.gz");

        var run = RunOaims("prelabel", "--model", _model, "--in", inputs, "--out", In("out"), "--propagate");

        Assert.True(run.ExitCode == 0, run.Errors);
        var (input, labels) = (VolumeIO.Read(Path.Combine(inputs, "a.nii.gz")), VolumeIO.Read(In("out/a.nii.gz")));
        Assert.Equal(input.Dims, labels.Dims);
        Assert.True(Summary(In("out"))["propagate"]!.GetValue<bool>());
    }

    [Fact]
    public void A_second_run_skips_the_label_maps_already_written_and_makes_the_missing_ones()
    {
        string inputs = WriteInputs("a.nii.gz", "b.nrrd");
        Assert.Equal(0, RunOaims("prelabel", "--model", _model, "--in", inputs, "--out", In("out")).ExitCode);
        var finished = File.GetLastWriteTimeUtc(In("out/a.nii.gz"));
        File.Delete(In("out/b.nrrd"));

        var rerun = RunOaims("prelabel", "--model", _model, "--in", inputs, "--out", In("out"));

        Assert.True(rerun.ExitCode == 0, rerun.Errors);
        Assert.Equal(finished, File.GetLastWriteTimeUtc(In("out/a.nii.gz")));
        Assert.True(File.Exists(In("out/b.nrrd")));
        var summary = Summary(In("out"));
        Assert.Equal(1, summary["skipped"]!.GetValue<int>());
        Assert.Equal(1, summary["ok"]!.GetValue<int>());
    }

    [Fact]
    public void A_corrupt_input_is_reported_and_the_other_inputs_are_still_labelled()
    {
        string inputs = WriteInputs("a.nii.gz", "c.nrrd");
        File.WriteAllBytes(Path.Combine(inputs, "b.nii.gz"), "not a NIfTI file at all"u8.ToArray());

        var run = RunOaims("prelabel", "--model", _model, "--in", inputs, "--out", In("out"));

        Assert.True(run.ExitCode == 1, $"exit {run.ExitCode}: {run.Errors}");
        Assert.Contains("b.nii.gz", run.Errors);
        Assert.True(File.Exists(In("out/a.nii.gz")) && File.Exists(In("out/c.nrrd")));
        Assert.False(File.Exists(In("out/b.nii.gz")));
        var summary = Summary(In("out"));
        Assert.Equal((3, 2, 1), (summary["files"]!.GetValue<int>(), summary["ok"]!.GetValue<int>(), summary["failed"]!.GetValue<int>()));
        Assert.EndsWith("b.nii.gz", summary["failures"]![0]!["file"]!.GetValue<string>());
    }

    [Fact]
    public void Shards_0_1_and_2_of_3_together_label_every_input_exactly_once()
    {
        var names = Enumerable.Range(0, 7).Select(n => $"case{n}.nii.gz").ToArray();
        string inputs = WriteInputs(names);

        var labelled = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            string outDir = In($"shard{i}");
            Assert.Equal(0, RunOaims("prelabel", "--model", _model, "--in", inputs, "--out", outDir, "--shard", $"{i}/3").ExitCode);
            labelled.AddRange(Directory.GetFiles(outDir, "*.nii.gz").Select(Path.GetFileName)!);
        }

        Assert.Equal(names.Order(), labelled.Order());
    }

    [Fact]
    public void Shards_sharing_one_output_folder_each_keep_a_summary_of_what_they_wrote()
    {
        var names = Enumerable.Range(0, 5).Select(n => $"case{n}.nii.gz").ToArray();
        string inputs = WriteInputs(names);

        for (int i = 0; i < 2; i++)
            Assert.Equal(0, RunOaims("prelabel", "--model", _model, "--in", inputs, "--out", In("out"), "--shard", $"{i}/2").ExitCode);

        var written = Enumerable.Range(0, 2)
            .SelectMany(i => JsonNode.Parse(File.ReadAllText(In($"out/summary-{i}-of-2.json")))!["written"]!.AsArray())
            .Select(name => name!.GetValue<string>());
        Assert.Equal(names.Order(), written.Order());
        Assert.False(File.Exists(In("out/summary.json")));
    }

    [Fact]
    public void A_shard_is_chosen_by_file_name_alone_whatever_the_folder()
    {
        var shard = new Shard(1, 3);

        Assert.Equal(shard.Contains("/data/a/case4.nii.gz"), shard.Contains("/scratch/b/case4.nii.gz"));
    }

    [Theory]
    [InlineData("3/3")]
    [InlineData("-1/2")]
    [InlineData("1")]
    [InlineData("a/b")]
    public void A_shard_outside_0_to_n_is_refused_with_the_form_it_takes(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => Shard.Parse(text));

        Assert.Contains("i/n", error.Message);
    }

    [Fact]
    public void Two_inputs_of_one_file_name_are_refused_before_anything_is_written()
    {
        string first = WriteInputs("a.nii.gz");
        Directory.CreateDirectory(In("other"));
        File.Copy(Path.Combine(first, "a.nii.gz"), In("other/a.nii.gz"));

        string error = AssertRefused(RunOaims("prelabel", "--model", _model, "--in", first, In("other"), "--out", In("out")));

        Assert.Contains("a.nii.gz", error);
        Assert.False(Directory.Exists(In("out")));
    }
}
