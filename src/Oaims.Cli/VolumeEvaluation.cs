using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Oaims.Imaging;
using Oaims.Interaction;
using Oaims.Learning.Adaptation;
using Oaims.Learning.Checkpoints;
using Oaims.Learning.Data;
using Oaims.Learning.Evaluation;
using Oaims.Learning.Sessions;

namespace Oaims.Cli;

/// <summary>
/// `oaims eval --protocol volume`: brain volumes (DIR/&lt;case&gt;/&lt;modality&gt;.nii.gz + seg.nii.gz) under the volume
/// protocol, with propagation and, on a second learner from the same checkpoint, the same click rule slice by slice.
/// Writes summary.json (volume_dice_at, volume_noc, the same for slice_by_slice) and volumes.csv (every click).
/// </summary>
public static class VolumeEvaluation
{
    public static readonly int[] DiceAt = [1, 3, 5, 10, 20];
    static readonly double[] Thresholds = [0.80, 0.85, 0.90];

    public sealed record Options(string ModelFolder, string Data, string Output, string Modality, IReadOnlyList<string>? Cases,
                                 string Strategy, double? LearningRate, int Clicks, PropagationSeeding Seeding);

    public static JsonObject Run(Options options)
    {
        var provenance = RunProvenance.Start(options.Data);
        var cases = options.Cases ?? BrainSlices.Cases(options.Data);
        if (cases.Count == 0) throw new ArgumentException($"{options.Data} holds no case folder with a seg.nii.gz.");
        var clock = Stopwatch.StartNew();
        var (propagated, sliceBySlice) = (new List<VolumeResult>(), new List<VolumeResult>());
        var (network, card) = Checkpoint.Load(options.ModelFolder);
        var (network2, _) = Checkpoint.Load(options.ModelFolder);
        provenance.AddModel(card.Name, options.ModelFolder);
        using var learner = new OnlineLearner(network, card, options.Strategy, options.LearningRate);
        using var sliceLearner = new OnlineLearner(network2, card, options.Strategy, options.LearningRate);
        foreach (string caseId in cases)
        {
            var (image, truth) = ReadCase(options.Data, caseId, options.Modality, provenance.Data.Add);
            propagated.Add(VolumeProtocol.Run(learner, caseId, image, truth, options.Clicks, options.Seeding));
            sliceBySlice.Add(VolumeProtocol.Run(sliceLearner, caseId, image, truth, options.Clicks, seeding: null));
            Console.Error.WriteLine($"{caseId}: 3D Dice after {DiceAt.Where(k => k <= options.Clicks).Select(k => $"{k}: {At(propagated[^1], k):F3} (slice by slice {At(sliceBySlice[^1], k):F3})").Aggregate((a, b) => a + ", " + b)}; " +
                                    $"{propagated[^1].ProposedSlices} slices proposed, {propagated[^1].Seconds:F0} s");
        }
        var summary = new JsonObject
        {
            ["protocol"] = "volume", ["model"] = card.Name, ["strategy"] = options.Strategy, ["learning_rate"] = learner.LearningRate,
            ["modality"] = options.Modality, ["clicks"] = options.Clicks, ["seeding"] = options.Seeding.Name, ["volumes"] = propagated.Count,
            ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1),
        };
        var curves = Curves(propagated, options.Clicks);
        summary["volume_dice_at"] = curves["volume_dice_at"]!.DeepClone();
        summary["volume_noc"] = curves["volume_noc"]!.DeepClone();
        summary["slice_by_slice"] = Curves(sliceBySlice, options.Clicks);
        summary["final_version"] = learner.Version;
        summary["provenance"] = provenance.ToJson();
        Directory.CreateDirectory(options.Output);
        AtomicFile.WriteAllText(Path.Combine(options.Output, "summary.json"), summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        AtomicFile.WriteAllText(Path.Combine(options.Output, "volumes.csv"), Csv(propagated, sliceBySlice));
        return summary;
    }

    /// <summary>The image and its binary truth (any seg label above 0 is lesion).</summary>
    internal static (Volume Image, byte[] Truth) ReadCase(string data, string caseId, string modality, Action<string> read)
    {
        string imagePath = Path.Combine(data, caseId, $"{modality}.nii.gz"), segPath = Path.Combine(data, caseId, "seg.nii.gz");
        var image = VolumeIO.Read(imagePath);
        var seg = VolumeIO.Read(segPath);
        read(imagePath);
        read(segPath);
        if (!image.Dims.SequenceEqual(seg.Dims)) throw new InvalidDataException($"{caseId}: {modality} and seg have different shapes.");
        return (image, seg.Channels[0].Select(v => v > 0 ? (byte)1 : (byte)0).ToArray());
    }

    internal static JsonObject Curves(IReadOnlyList<VolumeResult> results, int clicks)
    {
        var curves = results.Where(r => r.DicePerClick.Count > 0).Select(r => r.DicePerClick).ToList();
        var diceAt = DiceAt.Where(k => k <= clicks).ToList();
        var summary = CurveSummary.Of(curves, clicks, diceAt, Thresholds);
        return new JsonObject
        {
            ["volume_dice_at"] = new JsonObject(summary.MeanDiceAt.Select(d => KeyValuePair.Create(d.Key.ToString(CultureInfo.InvariantCulture), (JsonNode?)Math.Round(d.Value, 4)))),
            ["volume_noc"] = new JsonObject(summary.MeanNoCAt.Select(n => KeyValuePair.Create(n.Key.ToString("0.00", CultureInfo.InvariantCulture), (JsonNode?)Math.Round(n.Value, 2)))),
        };
    }

    static double At(VolumeResult result, int k) => result.DicePerClick.Count == 0 ? double.NaN : result.DicePerClick[Math.Min(k, result.DicePerClick.Count) - 1];

    static string Csv(IReadOnlyList<VolumeResult> propagated, IReadOnlyList<VolumeResult> sliceBySlice)
    {
        var csv = new StringBuilder("volume,mode,click,slice,dice3d\n");
        foreach (var (mode, results) in new[] { ("propagation", propagated), ("slice_by_slice", sliceBySlice) })
            foreach (var r in results)
                for (int k = 0; k < r.DicePerClick.Count; k++)
                    csv.Append(CultureInfo.InvariantCulture, $"{r.Id},{mode},{k + 1},{r.ClickedSlices[k]},{r.DicePerClick[k]:F4}\n");
        return csv.ToString();
    }
}
