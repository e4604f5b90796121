using Oaims.Interaction;
using Oaims.Learning.Data;

namespace Oaims.Learning.Evaluation;

/// <summary>
/// What the simulated user looks at and what is scored. Usually every structure of the task, on the model's own labels.
/// Data annotated with fewer structures than the model predicts (DRIONS-DB marks the optic disc only, the fundus model
/// also predicts the cup) are scored on what was annotated, and the user corrects only that: the model's labels are
/// merged into the annotated ones before the user sees them, so a cup inside a correct disc is no error to click.
/// </summary>
public sealed record ScoredStructures(IReadOnlyList<Structure> Structures, Func<LabelMap, LabelMap> SeenByUser)
{
    /// <summary>Every structure of the task, the mask as predicted.</summary>
    public static ScoredStructures All(SegmentationTask task) => new(task.Structures, mask => mask);

    /// <summary>Fundus data with a disc mask only: the disc scored, rim and cup shown to the user as one disc label.</summary>
    public static ScoredStructures DiscOnly { get; } = new([Oaims.Interaction.Structures.Fundus[0]], MergeIntoDisc);

    /// <summary>The structures a data folder's labels allow scoring: the disc only for fundus data without cup masks.</summary>
    public static ScoredStructures For(SegmentationTask task, string dataDirectory) =>
        task.Name == SegmentationTask.FundusOdoc.Name && !FundusImages.HasCupMasks(dataDirectory) ? DiscOnly : All(task);

    // The fundus labels are 0 background, 1 rim, 2 cup; an annotated disc is label 1.
    static LabelMap MergeIntoDisc(LabelMap mask) =>
        new(mask.Width, mask.Height, mask.Labels.Select(label => label == 0 ? 0 : 1).ToArray());
}
