using Oaims.Learning.Data;

namespace Oaims.Learning.Evaluation;

/// <summary>
/// The brain FLAIR -> T1c protocol every strategy is measured by, kept disjoint by patient: the source model is trained
/// on FLAIR of pat0001-0003 and chosen on pat0004 FLAIR; adaptation rates are tuned on T1c of pat0001-0003; the reported
/// stream is T1c of pat0004, every lesion slice, the patient the source never saw. T1c of pat0001-0003 is reported apart,
/// labelled seen-patient, on the lesion slices the tuning stream skips.
/// </summary>
public static class BrainProtocol
{
    public static readonly IReadOnlyList<string> SourceTrainingCases = ["pat0001", "pat0002", "pat0003"];
    /// <summary>The patient no source model and no tuning ever saw: source validation (FLAIR) and the reported stream (T1c).</summary>
    public const string UnseenCase = "pat0004";
    public const string SourceModality = "flair", TargetModality = "t1c";
    // The tuning and seen-patient streams keep one lesion slice in three, to fit the CPU budget; the offsets keep them apart.
    const int SeenPatientEvery = 3, TuningOffset = 0, SeenReportOffset = 1;

    // Each stream takes `read`, told every data file it reads (a run's data manifest).

    /// <summary>Where the learning rates are chosen: T1c of the source-training patients, every 3rd lesion slice.</summary>
    public static List<SliceSample> TuningStream(string brats, Action<string>? read = null) =>
        TaskData.Load(SegmentationTask.BrainLesion, brats, TargetModality, SourceTrainingCases, null, forTraining: false, TuningOffset, SeenPatientEvery, read);

    /// <summary>The reported stream: T1c of the unseen patient, every lesion slice, in file order.</summary>
    public static List<SliceSample> EvaluationStream(string brats, Action<string>? read = null) =>
        TaskData.Load(SegmentationTask.BrainLesion, brats, TargetModality, [UnseenCase], null, forTraining: false, lesionSliceEvery: 1, read: read);

    /// <summary>T1c of the source-training patients on the slices tuning skipped: reported apart, as seen-patient figures.</summary>
    public static List<SliceSample> SeenPatientStream(string brats, Action<string>? read = null) =>
        TaskData.Load(SegmentationTask.BrainLesion, brats, TargetModality, SourceTrainingCases, null, forTraining: false, SeenReportOffset, SeenPatientEvery, read);

    /// <summary>
    /// FLAIR of the source-training patients on the slices tuning skipped: what adapting on a patient's T1c leaves of the
    /// same patient's FLAIR, the workflow of a user who segments several contrasts of one patient, measured without the
    /// unseen patient.
    /// </summary>
    public static List<SliceSample> SeenPatientSource(string brats, Action<string>? read = null) =>
        TaskData.Load(SegmentationTask.BrainLesion, brats, SourceModality, SourceTrainingCases, null, forTraining: false, SeenReportOffset, SeenPatientEvery, read);

    /// <summary>
    /// One tuning patient's T1c, every lesion slice: the workflow the retention bar measures (one patient in two contrasts,
    /// a whole volume segmented), on a patient the tuning may use. Every 3rd slice is not enough to show it: pi+mi at
    /// L2-SP 1 on pat0003's 26 tuning slices left its FLAIR Dice@5 at 0.899, on all 76 at 0.650.
    /// </summary>
    public static List<SliceSample> TuningPatientTarget(string brats, string patient, Action<string>? read = null)
    {
        if (!SourceTrainingCases.Contains(patient))
            throw new ArgumentException($"{patient} is not a tuning patient ({string.Join(", ", SourceTrainingCases)}).", nameof(patient));
        return TaskData.Load(SegmentationTask.BrainLesion, brats, TargetModality, [patient], null, forTraining: false, lesionSliceEvery: 1, read: read);
    }

    /// <summary>The patient a brain slice comes from: its id is "patient/zNNN" (<see cref="BrainSlices"/>).</summary>
    public static string PatientOf(string sliceId) => sliceId.Split('/')[0];

    /// <summary>Source-domain validation: FLAIR of the unseen patient, every lesion slice.</summary>
    public static List<SliceSample> SourceValidation(string brats, Action<string>? read = null) =>
        TaskData.Load(SegmentationTask.BrainLesion, brats, SourceModality, [UnseenCase], null, forTraining: false, lesionSliceEvery: 1, read: read);
}
