using Oaims.Imaging;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Oaims.Learning.Checkpoints;

namespace Oaims.Learning.Evaluation;

/// <summary>The adaptation steps of a stream: their cost and losses, summarised and as a CSV.</summary>
public static class StepReport
{
    /// <summary>Per kind: count, applied, median milliseconds; plus the median cost of an MI update and of a whole PI update (both stages) per image.</summary>
    public static JsonObject Summary(StreamResult stream)
    {
        var summary = new JsonObject();
        foreach (var group in stream.ClickSteps.Concat(stream.ImageSteps).GroupBy(s => s.Kind))
            summary[group.Key] = new JsonObject
            {
                ["steps"] = group.Count(),
                ["applied"] = group.Count(s => s.Applied),
                ["median_ms"] = Math.Round(Median(group.Select(s => s.Milliseconds)), 1),
                ["mean_loss"] = Math.Round(group.Where(s => double.IsFinite(s.Loss)).Select(s => s.Loss).DefaultIfEmpty(double.NaN).Average(), 5),
            };
        if (stream.ClickSteps.Count > 0) summary["median_click_update_ms"] = Math.Round(Median(stream.ClickSteps.Select(s => s.Milliseconds)), 1);
        // A PI update is stage 1 + stage 2 of one image: steps with index 0 start a new image.
        var perImage = new List<double>();
        foreach (var step in stream.ImageSteps)
            if (step.Index == 0 || perImage.Count == 0) perImage.Add(step.Milliseconds); else perImage[^1] += step.Milliseconds;
        if (perImage.Count > 0) summary["median_image_update_ms"] = Math.Round(Median(perImage), 1);
        return summary;
    }

    public static void Write(string directory, StreamResult stream)
    {
        var csv = new StringBuilder("phase,index,kind,loss,milliseconds,version,applied\n");
        foreach (var (phase, steps) in new[] { ("click", stream.ClickSteps), ("image", stream.ImageSteps) })
            foreach (var s in steps)
                csv.Append(CultureInfo.InvariantCulture, $"{phase},{s.Index},{s.Kind},{s.Loss:G6},{s.Milliseconds:F1},{s.Version},{s.Applied}\n");
        AtomicFile.WriteAllText(Path.Combine(directory, "steps.csv"), csv.ToString());
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
