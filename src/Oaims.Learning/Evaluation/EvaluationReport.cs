using Oaims.Imaging;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Oaims.Interaction;
using Oaims.Learning.Checkpoints;

namespace Oaims.Learning.Evaluation;

/// <summary>Writes an evaluation's summary.json, per-image CSV and Dice-against-clicks plot.</summary>
public static class EvaluationReport
{
    /// <summary>{"images":N,"scored_mask":..,"dice_at":{"1":..},"noc":{"80":..},"seconds":..}; per structure name when a task scores several.
    /// With first masks recorded (an online stream), "first_mask_dice_at" gives Dice@k of each click's first mask beside them.</summary>
    public static JsonObject Summary(IReadOnlyList<ImageResult> results, IReadOnlyList<Structure> structures, int clicks, double seconds)
    {
        var summaries = CurveSummary.PerStructure(results.Select(r => r.DicePerClick).ToList(), structures, clicks, DiceAtClicks(clicks));
        JsonObject DiceAt(CurveSummary s) => new(s.MeanDiceAt.Select(kv => KeyValuePair.Create(kv.Key.ToString(CultureInfo.InvariantCulture), (JsonNode?)Math.Round(kv.Value, 4))));
        JsonObject Noc(CurveSummary s) => new(s.MeanNoCAt.Select(kv => KeyValuePair.Create(((int)Math.Round(kv.Key * 100)).ToString(CultureInfo.InvariantCulture), (JsonNode?)Math.Round(kv.Value, 3))));
        bool withFirst = results.Count > 0 && results.All(r => r.FirstMaskDicePerClick is not null);
        var firstSummaries = withFirst
            ? CurveSummary.PerStructure(results.Select(r => r.FirstMaskDicePerClick!).ToList(), structures, clicks, DiceAtClicks(clicks))
            : null;
        var summary = new JsonObject { ["images"] = results.Count };
        summary["scored_mask"] = withFirst ? "refined (each click's mask after its adaptation; first_mask_dice_at: before it)" : "the click's mask";
        if (structures.Count == 1)
        {
            var only = summaries[structures[0].Name];
            summary["structure"] = structures[0].Name;
            summary["dice_at"] = DiceAt(only);
            summary["noc"] = Noc(only);
            if (firstSummaries is not null) summary["first_mask_dice_at"] = DiceAt(firstSummaries[structures[0].Name]);
        }
        else
        {
            summary["dice_at"] = new JsonObject(summaries.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)DiceAt(kv.Value))));
            summary["noc"] = new JsonObject(summaries.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)Noc(kv.Value))));
            if (firstSummaries is not null)
                summary["first_mask_dice_at"] = new JsonObject(firstSummaries.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)DiceAt(kv.Value))));
        }
        summary["seconds"] = Math.Round(seconds, 2);
        return summary;
    }

    /// <summary>1, 5, 10 where the budget allows, always including the last click.</summary>
    public static IReadOnlyList<int> DiceAtClicks(int clicks) => new[] { 1, 5, 10, clicks }.Where(k => k <= clicks).Distinct().Order().ToList();

    /// <summary>Mean Dice of one structure after each click, over images.</summary>
    public static double[] MeanCurve(IReadOnlyList<ImageResult> results, int structure, int clicks) =>
        Enumerable.Range(0, clicks).Select(t => results.Average(r => r.DicePerClick[Math.Min(t, r.DicePerClick.Count - 1)][structure])).ToArray();

    public static string Csv(IReadOnlyList<ImageResult> results, IReadOnlyList<Structure> structures, int clicks)
    {
        var csv = new StringBuilder("index,image,seconds");
        foreach (var s in structures)
            for (int t = 1; t <= clicks; t++) csv.Append(CultureInfo.InvariantCulture, $",{s.Name}_dice_{t}");
        foreach (var s in structures) csv.Append(CultureInfo.InvariantCulture, $",{s.Name}_noc80,{s.Name}_noc85,{s.Name}_noc90");
        csv.AppendLine();
        for (int i = 0; i < results.Count; i++)
        {
            var r = results[i];
            csv.Append(CultureInfo.InvariantCulture, $"{i},{r.Id},{r.Seconds:F3}");
            for (int s = 0; s < structures.Count; s++)
                for (int t = 0; t < clicks; t++) csv.Append(CultureInfo.InvariantCulture, $",{r.DicePerClick[Math.Min(t, r.DicePerClick.Count - 1)][s]:F4}");
            for (int s = 0; s < structures.Count; s++)
            {
                var curve = r.DicePerClick.Select(d => d[s]).ToArray();
                foreach (double threshold in CurveSummary.DefaultThresholds)
                    csv.Append(CultureInfo.InvariantCulture, $",{NoC.Of(curve, threshold, clicks)}");
            }
            csv.AppendLine();
        }
        return csv.ToString();
    }

    public static void Write(string directory, IReadOnlyList<ImageResult> results, IReadOnlyList<Structure> structures, int clicks, double seconds,
                             string title, JsonObject? extra = null)
    {
        Directory.CreateDirectory(directory);
        var summary = Summary(results, structures, clicks, seconds);
        if (extra is not null)
            foreach (var (key, value) in extra) summary[key] = value?.DeepClone();
        AtomicFile.WriteAllText(Path.Combine(directory, "summary.json"), summary.ToJsonString(new() { WriteIndented = true }));
        AtomicFile.WriteAllText(Path.Combine(directory, "images.csv"), Csv(results, structures, clicks));
        var series = structures.Select((s, i) => (s.Name, MeanCurve(results, i, clicks))).ToList();
        Charts.DiceAgainstClicks(Path.Combine(directory, "dice_vs_clicks.png"), title, series);
    }
}
