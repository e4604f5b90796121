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
