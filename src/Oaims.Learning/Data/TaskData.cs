namespace Oaims.Learning.Data;

/// <summary>Loads the images of a task from one of the two dataset layouts, for training or for evaluation.</summary>
public static class TaskData
{
    /// <param name="cases">Brain: case folders to use (all when null). Fundus: image ids to keep (all when null).</param>
    /// <param name="split">Fundus: the manifest split (train/test); brain data have no split column.</param>
    /// <param name="forTraining">Brain: every qualifying slice plus lesion-free slices, instead of every 3rd lesion slice.</param>
    /// <param name="sliceOffset">Brain evaluation: which slice of every <paramref name="lesionSliceEvery"/> lesion slices to keep
    /// (0 by default; another offset gives a stream of the same cases that shares no slice with it).</param>
    /// <param name="lesionSliceEvery">Brain evaluation: keep one lesion slice in this many (3 by default; 1 keeps every one).</param>
    /// <param name="read">Told the path of every data file read (for a run's <see cref="DataManifest"/>).</param>
    public static List<SliceSample> Load(SegmentationTask task, string dataDirectory, string? modality, IReadOnlyList<string>? cases, string? split, bool forTraining,
        int sliceOffset = 0, int lesionSliceEvery = 3, Action<string>? read = null)
    {
        if (!Directory.Exists(dataDirectory)) throw new DirectoryNotFoundException($"Data folder {dataDirectory} does not exist.");
        if (task == SegmentationTask.BrainLesion || task.Name == SegmentationTask.BrainLesion.Name)
        {
            var available = BrainSlices.Cases(dataDirectory);
            var chosen = cases ?? available;
            var unknown = chosen.Except(available).ToList();
            if (unknown.Count > 0) throw new ArgumentException($"Unknown case(s) {string.Join(", ", unknown)} in {dataDirectory}; it holds {string.Join(", ", available)}.");
            if (lesionSliceEvery < 1) throw new ArgumentException($"Keep at least every lesion slice (1), got one in {lesionSliceEvery}.");
            if (sliceOffset < 0 || sliceOffset >= lesionSliceEvery)
                throw new ArgumentException($"The slice offset must be 0 to {lesionSliceEvery - 1} (one lesion slice in {lesionSliceEvery} is kept), got {sliceOffset}.");
            var selection = forTraining ? new BrainSlices.Selection(EveryNth: 1, EmptyEveryNth: 4) : new BrainSlices.Selection(lesionSliceEvery, Offset: sliceOffset);
            return BrainSlices.Load(dataDirectory, modality ?? "flair", chosen, selection, read);
        }
        var images = FundusImages.Load(dataDirectory, split, read);
        if (cases is not null) images = images.Where(s => cases.Contains(s.Id)).ToList();
        return images;
    }
}
