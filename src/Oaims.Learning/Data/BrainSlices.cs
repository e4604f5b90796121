using Oaims.Imaging;
using Oaims.Interaction;

namespace Oaims.Learning.Data;

/// <summary>
/// Axial slices of brain MRI cases laid out as DIR/&lt;case&gt;/&lt;modality&gt;.nii.gz + seg.nii.gz
/// (labels &gt; 0 = lesion). Each volume is normalised as a whole before slicing.
/// </summary>
public static class BrainSlices
{
    public const int MinimumLesionArea = 100;
    const int AxialAxis = 2;

    /// <summary>Options: which slices qualify and which are kept.</summary>
    /// <param name="EveryNth">Keep every n-th qualifying lesion slice (evaluation uses 3; training 1).</param>
    /// <param name="EmptyEveryNth">Also keep every n-th slice that shows brain but no lesion (0 = none), so a
    /// click-free proposal learns to stay empty where there is nothing.</param>
    /// <param name="Offset">Which of each n lesion slices to keep: 0 for the evaluation stream, another value
    /// for a tuning stream that shares no slice with it.</param>
    public sealed record Selection(int EveryNth = 3, int EmptyEveryNth = 0, int Offset = 0);

    public static IReadOnlyList<string> Cases(string dataDirectory) =>
        Directory.GetDirectories(dataDirectory)
            .Where(d => File.Exists(Path.Combine(d, "seg.nii.gz")))
            .Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();

    public static List<SliceSample> Load(string dataDirectory, string modality, IEnumerable<string> cases, Selection selection, Action<string>? read = null)
    {
        var samples = new List<SliceSample>();
        foreach (string caseId in cases)
        {
            string folder = Path.Combine(dataDirectory, caseId);
            string imagePath = Path.Combine(folder, $"{modality}.nii.gz"), segPath = Path.Combine(folder, "seg.nii.gz");
            var image = VolumeIO.Read(imagePath);
            var seg = VolumeIO.Read(segPath);
            read?.Invoke(imagePath);
            read?.Invoke(segPath);
            if (!image.Dims.SequenceEqual(seg.Dims))
                throw new InvalidDataException($"{caseId}: {modality} and seg have different shapes.");
            IntensityNormaliser.Apply(IntensityNormalisation.ZScoreForeground, image.Channels);
            samples.AddRange(SlicesOf(caseId, image, seg.Channels[0], selection));
        }
        return samples;
    }

    static IEnumerable<SliceSample> SlicesOf(string caseId, Volume image, float[] seg, Selection selection)
    {
        int width = image.Dims[0], height = image.Dims[1], depth = image.Dims[AxialAxis];
        int plane = width * height;
        float background = image.Channels[0].Min();
        int lesionSeen = 0, emptySeen = 0;
        for (int k = 0; k < depth; k++)
        {
            var labels = new int[plane];
            int lesion = 0, tissue = 0;
            for (int p = 0; p < plane; p++)
            {
                if (seg[k * plane + p] > 0) { labels[p] = 1; lesion++; }
                if (image.Channels[0][k * plane + p] > background) tissue++;
            }
            bool keep;
            if (lesion >= MinimumLesionArea) keep = lesionSeen++ % selection.EveryNth == selection.Offset;
            else if (lesion == 0 && selection.EmptyEveryNth > 0 && tissue > plane / 10) keep = emptySeen++ % selection.EmptyEveryNth == 0;
            else keep = false;
            if (!keep) continue;

            var pixels = new float[plane];
            Array.Copy(image.Channels[0], k * plane, pixels, 0, plane);
            yield return new SliceSample($"{caseId}/z{k:D3}", pixels, 1, width, height, new LabelMap(width, height, labels));
        }
    }
}
