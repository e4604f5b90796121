using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Oaims.Cli;
using Oaims.Imaging;
using Oaims.Learning.Checkpoints;
using static Oaims.Service.Tests.OaimsProcess;

namespace Oaims.Service.Tests;

/// <summary>`oaims eval --save-model` and the provenance every results file records, on tiny models and a synthetic brain case.</summary>
public sealed class EvalResultsTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("oaims-eval-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    string In(string name) => Path.Combine(_folder, name);

    /// <summary>One 32x32x6 case: a bright disc of 149 pixels (a lesion slice) on every slice; the stream keeps slices 0 and 3.</summary>
    string WriteBrainData()
    {
        string data = In("data"), folder = Path.Combine(data, "case1");
        Directory.CreateDirectory(folder);
        int[] dims = [32, 32, 6];
        var image = new float[32 * 32 * 6];
        var seg = new float[image.Length];
        var random = new Random(4);
        for (int z = 0; z < 6; z++)
            for (int y = 0; y < 32; y++)
                for (int x = 0; x < 32; x++)
                {
                    int i = (z * 32 + y) * 32 + x;
                    bool lesion = (x - 14 - z) * (x - 14 - z) + (y - 16) * (y - 16) <= 48;
                    seg[i] = lesion ? 1 : 0;
                    image[i] = 1 + (lesion ? 2 : 0) + (float)random.NextDouble() * 0.5f;
                }
        VolumeIO.Write(new Volume(dims, [image], Volume.Identity4()), Path.Combine(folder, "flair.nii.gz"));
        VolumeIO.Write(new Volume(dims, [seg], Volume.Identity4()), Path.Combine(folder, "seg.nii.gz"));
        return data;
    }

    static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public void Eval_save_model_writes_the_adapted_model_as_a_checkpoint_whose_card_names_its_origin()
    {
        string model = Path.Combine(TinyModels.Write(In("models")), TinyModels.Brain), data = WriteBrainData();

        var run = RunOaims("eval", "--model", model, "--data", data, "--out", In("results"), "--strategy", "pi+mi", "--clicks", "3", "--save-model", In("adapted") + "/");

        Assert.True(run.ExitCode == 0, run.Errors);
        var summary = JsonNode.Parse(File.ReadAllText(In("results/summary.json")))!;
        Assert.StartsWith("refined", summary["scored_mask"]!.GetValue<string>()); // the results say which mask they score ...
        Assert.NotNull(summary["first_mask_dice_at"]!["3"]); // ... and give the first mask's Dice beside it
        var (_, card) = Checkpoint.Load(In("adapted"));
        var origin = card.Origin!;
        Assert.Equal(OriginCard.OnlineAdaptation, origin.Kind);
        Assert.Equal(TinyModels.Brain, origin.Source);
        Assert.Equal(Sha256(Path.Combine(model, Checkpoint.WeightsFile)), origin.SourceSha256);
        Assert.Equal("pi+mi", origin.Strategy);
        Assert.Equal(summary["learning_rate"]!.GetValue<double>(), origin.LearningRate);
        Assert.Equal(summary["final_version"]!.GetValue<long>(), origin.Version);
        Assert.True(origin.Version > 0, "the stream should have adapted the model");
        Assert.Equal(2, origin.Images);
        Assert.Contains(data, origin.Stream);
        Assert.Equal(SourceControl.Commit(), origin.Commit);
        Assert.Equal("adapted", card.Name);
        Assert.NotEqual(Sha256(Path.Combine(model, Checkpoint.WeightsFile)), card.WeightsSha256);
    }

    [Fact]
    public void A_saved_adapted_model_is_usable_with_model_and_a_second_save_adds_a_version()
    {
        string model = Path.Combine(TinyModels.Write(In("models")), TinyModels.Brain), data = WriteBrainData();
        Assert.Equal(0, RunOaims("eval", "--model", model, "--data", data, "--out", In("first"), "--strategy", "pi+mi", "--clicks", "2", "--save-model", In("adapted")).ExitCode);

        var second = RunOaims("eval", "--model", In("adapted"), "--data", data, "--out", In("second"), "--strategy", "pi+mi", "--clicks", "2", "--save-model", In("adapted"));

        Assert.True(second.ExitCode == 0, second.Errors);
        Assert.Equal("v000002", File.ReadAllText(In("adapted/CURRENT")).Trim());
        Assert.Equal("adapted", Checkpoint.ReadCard(In("adapted")).Origin!.Source);
    }

    [Fact]
    public void Eval_refuses_a_save_model_folder_holding_other_files_before_it_runs()
    {
        string model = Path.Combine(TinyModels.Write(In("models")), TinyModels.Brain), data = WriteBrainData();
        Directory.CreateDirectory(In("notes"));
        File.WriteAllText(In("notes/todo.txt"), "keep me");

        string error = AssertRefused(RunOaims("eval", "--model", model, "--data", data, "--out", In("results"), "--save-model", In("notes")));

        Assert.Contains("already holds files", error);
        Assert.False(Directory.Exists(In("results")));
        Assert.Equal("keep me", File.ReadAllText(In("notes/todo.txt")));
    }

    [Fact]
    public void The_eval_summary_records_commit_dirty_tree_model_weights_and_data_manifest()
    {
        string model = Path.Combine(TinyModels.Write(In("models")), TinyModels.Brain), data = WriteBrainData();

        var run = RunOaims("eval", "--model", model, "--data", data, "--out", In("results"), "--clicks", "1");

        Assert.True(run.ExitCode == 0, run.Errors);
        var provenance = JsonNode.Parse(File.ReadAllText(In("results/summary.json")))!["provenance"]!;
        Assert.Equal(SourceControl.Commit(), provenance["commit"]?.GetValue<string>());
        Assert.Equal(SourceControl.IsDirty(), provenance["dirty"]?.GetValue<bool>());
        Assert.Equal(Sha256(Path.Combine(model, Checkpoint.WeightsFile)), provenance["model_weights_sha256"]![TinyModels.Brain]!.GetValue<string>());
        Assert.Equal(2, provenance["data_files"]!.GetValue<int>());
        Assert.Equal(Sha256sumManifest(data, "case1/flair.nii.gz", "case1/seg.nii.gz"), provenance["data_manifest_sha256"]!.GetValue<string>());
    }

    [Fact]
    public void Eval_protocol_volume_writes_3D_Dice_and_NoC_with_propagation_and_slice_by_slice()
    {
        string model = Path.Combine(TinyModels.Write(In("models")), TinyModels.Brain), data = WriteBrainData();

        var run = RunOaims("eval", "--protocol", "volume", "--model", model, "--data", data, "--out", In("volume"), "--strategy", "pi+mi", "--clicks", "3");

        Assert.True(run.ExitCode == 0, run.Errors);
        var summary = JsonNode.Parse(File.ReadAllText(In("volume/summary.json")))!;
        foreach (var curves in new[] { summary, summary["slice_by_slice"]! })
        {
            Assert.Equal(["1", "3"], curves["volume_dice_at"]!.AsObject().Select(p => p.Key));
            Assert.Equal(["0.80", "0.85", "0.90"], curves["volume_noc"]!.AsObject().Select(p => p.Key));
            Assert.InRange(curves["volume_dice_at"]!["1"]!.GetValue<double>(), 0, 1);
        }
        Assert.Equal(1, summary["volumes"]!.GetValue<int>());
        Assert.Equal("centres-kept", summary["seeding"]!.GetValue<string>());
        var rows = File.ReadAllLines(In("volume/volumes.csv"));
        Assert.Equal("volume,mode,click,slice,dice3d", rows[0]);
        Assert.Contains(rows, r => r.StartsWith("case1,propagation,1,", StringComparison.Ordinal));
    }

    /// <summary>The manifest hash as coreutils computes it: sha256sum of the files, sorted by path, hashed again.</summary>
    static string Sha256sumManifest(string root, params string[] files)
    {
        var shell = new ProcessStartInfo("/bin/sh", ["-c", $"sha256sum {string.Join(" ", files)} | LC_ALL=C sort -k2 | sha256sum"])
            { WorkingDirectory = root, RedirectStandardOutput = true };
        using var process = Process.Start(shell)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output.Split(' ')[0];
    }
}
