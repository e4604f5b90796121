using System.Diagnostics;
using System.Text.Json.Nodes;
using Oaims.Cli;
using static Oaims.Service.Tests.OaimsProcess;

namespace Oaims.Service.Tests;

/// <summary>
/// A full `oaims experiments` run outlasts a sitting on a 2-core machine: its parts may only be put together when the
/// same code computed them. Checked in a scratch git repository, with real git and the real `oaims` program.
/// </summary>
public sealed class ExperimentsResumeTests : IDisposable
{
    readonly string _repository = Directory.CreateTempSubdirectory("oaims-resume-").FullName;

    public ExperimentsResumeTests()
    {
        Git("init -q");
        Write("src/Learner.cs", "// the code");
        Write("docs/results.md", "# results");
        Commit("code and docs");
    }

    public void Dispose() => Directory.Delete(_repository, recursive: true);

    [Fact]
    public void A_commit_that_changes_only_docs_keeps_the_code_version_and_one_that_changes_code_does_not()
    {
        string? first = SourceControl.CodeVersion(_repository);
        Assert.NotNull(first);

        Write("docs/results.md", "# results, with the first sections");
        Commit("results");
        Assert.Equal(first, SourceControl.CodeVersion(_repository));

        // Weights are compared per section, not by the code version; uncommitted ones still belong to no commit.
        Write("models/some-model/model.safetensors", "weights");
        Assert.Null(SourceControl.CodeVersion(_repository));
        Commit("a model");
        Assert.Equal(first, SourceControl.CodeVersion(_repository));

        Write("src/Learner.cs", "// the code, changed");
        Assert.Null(SourceControl.CodeVersion(_repository)); // uncommitted code belongs to no version
        Commit("a code change");
        Assert.NotNull(SourceControl.CodeVersion(_repository));
        Assert.NotEqual(first, SourceControl.CodeVersion(_repository));
    }

    [Fact]
    public void Resume_skips_a_section_this_code_finished_and_leaves_its_file_as_it_was()
    {
        string saved = SavedSection("drions", SourceControl.CodeVersion(_repository)!);

        var outcome = RunOaimsIn(_repository, "experiments", "--resume", "--sections", "drions", "--out", "out", "--data", "no-data-needed");

        Assert.True(outcome.ExitCode == 0, outcome.Errors);
        Assert.Contains("== drions: already in out from this code version, skipped", outcome.Errors);
        Assert.Equal(saved, File.ReadAllText(Path.Combine(_repository, "out", "results", "drions.json")));
        Assert.Contains("every section below ran one code version", File.ReadAllText(Path.Combine(_repository, "out", "results.md")));
    }

    [Fact]
    public void Resumed_variants_keep_the_rows_already_run_and_apply_the_rule_across_all_of_them()
    {
        // A variants run stopped after its last row was saved: nothing is left to run, so the resume only puts the
        // section together. The rule must pick from the saved rows, and keep the earlier part's record.
        // The committed section gives the rows' format; each row gets the score and verdict the test needs.
        var saved = JsonNode.Parse(SavedSectionText("variants", SourceControl.CodeVersion(_repository)!))!.AsObject();
        var committedRow = saved["rows"]!.AsObject().First().Value!;
        JsonNode Row(double score, bool? keeps)
        {
            var row = committedRow.DeepClone();
            row["mean_dice_over_clicks"] = score;
            row["keeps_source"] = keeps;
            return row;
        }
        // "l2sp=1" went without the same-patient check (its verdict is null): the rule must not keep it, whatever its score.
        saved["rows"] = new JsonObject { ["default"] = Row(0.70, true), ["l2sp=0"] = Row(0.75, false), ["l2sp=1"] = Row(0.74, null), ["l2sp=10"] = Row(0.72, true) };
        saved["unfinished"] = new JsonArray();
        Write("out/results/variants.json", saved.ToJsonString());
        string data = Path.GetFullPath(Path.Combine(Checkout.Root, "..", "shared", "data"));

        var outcome = RunOaimsIn(_repository, "experiments", "--resume", "--sections", "variants", "--out", "out", "--data", data);

        Assert.True(outcome.ExitCode == 0, outcome.Errors);
        Assert.Contains("resuming variants with", outcome.Errors);
        var result = JsonNode.Parse(File.ReadAllText(Path.Combine(_repository, "out", "results", "variants.json")))!;
        Assert.Equal("l2sp=10", (string?)result["kept"]); // the best score among the rows that keep the source
        Assert.Null(result["unfinished"]);
        Assert.Equal(["default", "l2sp=0", "l2sp=1", "l2sp=10"], result["rows"]!.AsObject().Select(r => r.Key));
        Assert.Equal(saved["commit"]!.GetValue<string>(), (string?)result["earlier_parts"]![0]!["commit"]);
    }

    [Theory]
    [InlineData(false, 0.80, true, 0.70, "it already fails the checks after the tuning stream")]
    [InlineData(true, 0.70, true, 0.70, "it scores no better than the defaults, which keep the source")]
    [InlineData(true, 0.71, true, 0.70, null)] // could be kept: checked
    [InlineData(true, 0.60, false, 0.70, null)] // the defaults fail, so any row passing the stream's checks could be kept
    [InlineData(true, 0.60, null, null, null)] // "default" itself, the first row
    public void A_variants_row_skips_the_same_patient_check_only_when_the_rule_could_not_keep_it(
        bool keepsAfterStream, double score, bool? defaultsKeep, double? defaultsScore, string? expected)
    {
        Assert.Equal(expected, ExperimentsCommand.WhyOwnT1cCheckIsSkipped(keepsAfterStream, score, defaultsKeep, defaultsScore));
    }

    [Fact]
    public void Resume_runs_again_a_section_whose_model_was_retrained_since()
    {
        // The shipped fundus model in the scratch checkout, and the committed DRIONS-DB section, which used it.
        string model = Path.Combine(_repository, "models", "fundus-odoc");
        Directory.CreateDirectory(model);
        foreach (string file in Directory.GetFiles(Path.Combine(Checkout.Root, "models", "fundus-odoc")))
            File.Copy(file, Path.Combine(model, Path.GetFileName(file)));
        Commit("the fundus model");
        var json = JsonNode.Parse(SavedSectionText("drions", SourceControl.CodeVersion(_repository)!))!.AsObject();
        var committed = JsonNode.Parse(File.ReadAllText(Path.Combine(Checkout.Root, "docs", "results", "drions.json")))!;
        json["provenance"]!["model_weights_sha256"] = committed["provenance"]!["model_weights_sha256"]!.DeepClone();
        Write("out/results/drions.json", json.ToJsonString());
        string[] resume = ["experiments", "--resume", "--sections", "drions", "--out", "out", "--data", "no-data-needed"];

        var same = RunOaimsIn(_repository, resume);
        Assert.True(same.ExitCode == 0, same.Errors);
        Assert.Contains("== drions: already in out from this code version, skipped", same.Errors);

        // Retrained: new weights, the same code. The section must run again (and fails here, having no data).
        File.AppendAllText(Path.Combine(model, "model.safetensors"), " ");
        Commit("the fundus model, retrained");
        var retrained = RunOaimsIn(_repository, resume);
        Assert.Contains("== drions: saved by this code version, but fundus-odoc changed since, so it runs again", retrained.Errors);
        Assert.DoesNotContain("skipped", retrained.Errors);
    }

    [Fact]
    public void Resume_is_refused_while_the_code_has_uncommitted_changes()
    {
        SavedSection("drions", SourceControl.CodeVersion(_repository)!);
        Write("src/Learner.cs", "// edited, not committed");

        string error = AssertRefused(RunOaimsIn(_repository, "experiments", "--resume", "--sections", "drions", "--out", "out", "--data", "no-data-needed"));

        Assert.Contains("--resume needs committed code", error);
    }

    [Fact]
    public void Resume_and_a_re_run_of_some_strategies_are_refused_together()
    {
        string error = AssertRefused(RunOaimsIn(_repository, "experiments", "--resume", "--strategies", "tent", "--sections", "tune", "--out", "out"));
        Assert.Contains("use one of them", error);
    }

    /// <summary>The committed section from docs/results as if the given code version had computed it; returns its text.</summary>
    static string SavedSectionText(string section, string codeVersion)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(Checkout.Root, "docs", "results", section + ".json")))!.AsObject();
        json["provenance"] = new JsonObject { ["commit"] = json["commit"]?.DeepClone(), ["dirty"] = false, ["code_version"] = codeVersion };
        return json.ToJsonString();
    }

    string SavedSection(string section, string codeVersion)
    {
        string text = SavedSectionText(section, codeVersion);
        Write($"out/results/{section}.json", text);
        return text;
    }

    void Write(string relativePath, string text)
    {
        string path = Path.Combine(_repository, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    void Commit(string message)
    {
        Git("add -A");
        Git($"-c user.name=test -c user.email=test@oaims -c commit.gpgsign=false commit -q -m \"{message}\"");
    }

    void Git(string arguments)
    {
        using var git = Process.Start(new ProcessStartInfo("git", arguments) { WorkingDirectory = _repository, RedirectStandardError = true })!;
        string errors = git.StandardError.ReadToEnd();
        git.WaitForExit();
        Assert.True(git.ExitCode == 0, $"git {arguments}: {errors}");
    }
}
