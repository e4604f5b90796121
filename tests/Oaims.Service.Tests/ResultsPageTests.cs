using System.Text.Json.Nodes;
using Oaims.Cli;

namespace Oaims.Service.Tests;

/// <summary>docs/results.md rebuilt from the experiments' JSON, with and without the provenance newer runs record.</summary>
public sealed class ResultsPageTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("oaims-results-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Copies the committed docs/results/*.json (written before provenance was recorded) into a scratch docs folder.</summary>
    string CopyCommittedResults()
    {
        string results = Path.Combine(_folder, "results");
        Directory.CreateDirectory(results);
        foreach (string json in Directory.GetFiles(Path.Combine(Checkout.Root, "docs", "results"), "*.json"))
            File.Copy(json, Path.Combine(results, Path.GetFileName(json)));
        return results;
    }

    /// <summary>docs/results.md rebuilt from the scratch folder's sections, as its text.</summary>
    string RebuiltPage()
    {
        ResultsPage.Write(_folder);
        return File.ReadAllText(Path.Combine(_folder, "results.md"));
    }

    [Fact]
    public void The_page_is_rebuilt_from_results_written_before_provenance_was_recorded()
    {
        string results = CopyCommittedResults();
        foreach (string json in Directory.GetFiles(results, "*.json"))
        {
            var section = JsonNode.Parse(File.ReadAllText(json))!.AsObject();
            section.Remove("provenance");
            File.WriteAllText(json, section.ToJsonString());
        }

        string page = RebuiltPage();
        Assert.Contains("## Brain lesion: FLAIR-trained model on the T1c stream", page);
        Assert.Contains("Run: `oaims experiments", page);
        Assert.DoesNotContain("SHA-256", page);
    }

    [Fact]
    public void The_page_says_which_mask_is_scored_and_lists_first_mask_Dice_where_a_run_recorded_it()
    {
        string brain = Path.Combine(CopyCommittedResults(), "brain.json");
        var section = JsonNode.Parse(File.ReadAllText(brain))!.AsObject();
        // Only pi+mi's row records first masks here, so the page must list that row alone.
        foreach (var (_, row) in section["rows"]!.AsObject()) row!.AsObject().Remove("first_mask_dice_at");
        section["rows"]!["pi+mi"]!["first_mask_dice_at"] = new JsonObject { ["1"] = 0.5, ["5"] = 0.6, ["10"] = 0.7 };
        File.WriteAllText(brain, section.ToJsonString());

        string page = RebuiltPage();
        Assert.Contains("Each click is scored on the mask it leaves: the refined mask", page);
        Assert.Contains("First masks (before each click's adaptation), Dice@1/5/10: pi+mi 0.500/0.600/0.700.", page);
    }

    [Fact]
    public void The_tuning_table_lists_rates_that_failed_and_says_when_no_rate_or_strategy_finished()
    {
        string results = CopyCommittedResults();
        var tune = new JsonObject
        {
            ["scores"] = new JsonObject { ["tsca"] = new JsonObject { ["1.5e-05"] = 0.61, ["5e-05"] = 0.55 }, ["tent"] = new JsonObject() },
            ["failed"] = new JsonObject
            {
                ["tsca"] = new JsonObject { ["0.00015"] = "Unknown scalar type." },
                ["tent"] = new JsonObject { ["5e-05"] = "Unknown scalar type." },
            },
            ["chosen"] = new JsonObject { ["tsca"] = 1.5e-5 },
            ["score"] = "mean Dice over clicks 1..10",
            ["unfinished"] = new JsonArray("tent"),
        };
        File.WriteAllText(Path.Combine(results, "tune.json"), tune.ToJsonString());

        string page = RebuiltPage();
        Assert.Contains("| tsca | 1.5e-05: 0.610, 5e-05: 0.550, 0.00015: failed (Unknown scalar type.) | 1.5E-05 |", page);
        Assert.Contains("| tent | 5e-05: failed (Unknown scalar type.) | none finished: the default rate |", page);
        Assert.Contains("**Unfinished**: the tuning stopped before tent; those strategies run at their default rates.", page);
    }

    [Fact]
    public void The_page_names_the_tree_state_weights_and_data_manifest_a_section_recorded()
    {
        string brain = Path.Combine(CopyCommittedResults(), "brain.json");
        var section = JsonNode.Parse(File.ReadAllText(brain))!.AsObject();
        section["provenance"] = new JsonObject
        {
            ["commit"] = "abc", ["dirty"] = true, ["model_weights_sha256"] = new JsonObject { ["brain-flair"] = "0123456789abcdef" + new string('0', 48) },
            ["data_manifest_sha256"] = "fedcba9876543210" + new string('1', 48), ["data_files"] = 8,
        };
        File.WriteAllText(brain, section.ToJsonString());

        string page = RebuiltPage();
        Assert.Contains("with uncommitted changes; brain-flair weights SHA-256 `0123456789ab`; data manifest SHA-256 `fedcba987654` (8 files)", page);
    }

    [Fact]
    public void The_page_says_which_code_version_each_section_ran_when_they_differ()
    {
        string results = CopyCommittedResults();
        void Recorded(string section, string? codeVersion)
        {
            string path = Path.Combine(results, section + ".json");
            var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            json["provenance"] = new JsonObject { ["commit"] = "abc", ["dirty"] = false, ["code_version"] = codeVersion };
            File.WriteAllText(path, json.ToJsonString());
        }
        foreach (string section in ExperimentsCommand.Sections) Recorded(section, "aaaa" + new string('1', 60));
        Recorded("fundus", "bbbb" + new string('2', 60));
        Recorded("drions", null);

        string page = RebuiltPage();
        Assert.Contains("Code: the sections below ran code version `aaaa11111111` (variants, tune, brain, brain-seen, order, retention, volume); " +
                        "code version `bbbb22222222` (fundus); no recorded code version (drions: run before it was recorded, or with changed code).", page);
        Assert.Contains("code version `bbbb22222222`)", page); // and under the fundus section itself
    }

    [Fact]
    public void The_variants_section_lists_what_each_choice_leaves_of_the_source()
    {
        // A variants section built from a committed section's rows (the row format is shared), each row with its retention.
        string results = CopyCommittedResults();
        var order = JsonNode.Parse(File.ReadAllText(Path.Combine(results, "order.json")))!.AsObject();
        var row = order["rows"]!.AsObject().First().Value!;
        var rows = new JsonObject();
        foreach (var (variant, mean, retained) in new[] { ("default", 0.781, 0.583), ("l2sp=1", 0.703, 0.899) })
        {
            var copy = row.DeepClone().AsObject();
            copy["mean_dice_over_clicks"] = mean;
            var after = row.DeepClone().AsObject();
            after["dice_at"]!["5"] = retained;
            copy["source_validation_after"] = after;
            copy["tuning_patients_flair_dice_at_5_after"] = new JsonObject { ["pat0001"] = retained - 0.01, ["pat0003"] = retained - 0.3 };
            copy["tuning_patients_flair_dice_at_5_after_own_t1c"] = new JsonObject { ["pat0001"] = retained - 0.02, ["pat0003"] = retained - 0.4 };
            rows[variant] = copy;
        }
        // A row that could not be kept skips the same-patient check (ExperimentsCommand.WhyOwnT1cCheckIsSkipped).
        var skipped = rows["l2sp=1"]!.DeepClone().AsObject();
        skipped["mean_dice_over_clicks"] = 0.690;
        skipped.Remove("tuning_patients_flair_dice_at_5_after_own_t1c");
        skipped["own_t1c_check_skipped"] = "it scores no better than the defaults, which keep the source";
        rows["l2sp=10"] = skipped;
        order["rows"] = rows;
        var frozen = row.DeepClone().AsObject();
        frozen["dice_at"]!["5"] = 0.930;
        order["source_validation_frozen"] = frozen;
        order["tuning_patients_flair_dice_at_5_frozen"] = new JsonObject { ["pat0001"] = 0.906, ["pat0003"] = 0.906 };
        order["rule"] = "the best mean Dice among the choices that keep the source";
        order["kept"] = "l2sp=1";
        File.WriteAllText(Path.Combine(results, "variants.json"), order.ToJsonString());

        string page = RebuiltPage();
        Assert.Contains("here: default 0.781, l2sp=1 0.703, l2sp=10 0.690.", page);
        Assert.Contains("What each leaves of the source (FLAIR validation Dice@5 of the adapted model, frozen; 0.930 before adapting): default 0.583, l2sp=1 0.899, l2sp=10 0.899.", page);
        Assert.Contains("On each tuning patient's own FLAIR (Dice@5; pat0001 0.906, pat0003 0.906 before adapting): default 0.573/0.283; l2sp=1 0.889/0.599; l2sp=10 0.889/0.599.", page);
        Assert.Contains("The same FLAIR after adapting on that patient's T1c alone: default 0.563/0.183; l2sp=1 0.879/0.499; " +
                        "l2sp=10 not measured (it scores no better than the defaults, which keep the source).", page);
        // A run whose rule keeps another choice than the shipped default says so rather than hiding it.
        Assert.Contains("It keeps **l2sp=1**; the defaults of the commit that ran it are another, so this run asks to change them", page);

        // Saved in the middle of a run: the rows so far, what is left, and no verdict yet.
        order.Remove("rule");
        order.Remove("kept");
        order["unfinished"] = new JsonArray("l2sp=0", "adam-eps=1e-3");
        order.Remove("stream"); // written only when the section ends
        File.WriteAllText(Path.Combine(results, "variants.json"), order.ToJsonString());
        string partial = RebuiltPage();
        Assert.Contains("**Unfinished**: the run stopped before l2sp=0, adam-eps=1e-3; no choice is kept until `make experiments-resume` runs them.", partial);
        Assert.DoesNotContain("It keeps **", partial);
        Assert.DoesNotContain("Stream: .", partial);
    }
}
