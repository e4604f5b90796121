using Oaims.Imaging;
using Oaims.Learning.Data;

namespace Oaims.Learning.Tests;

public class BrainStreamTests
{
    // A tiny case on disk: 12 axial slices, a lesion of 121 voxels on slices 1..10 (each qualifies).
    static string WriteCase(string root, string caseId = "case01")
    {
        const int size = 16, depth = 12;
        var image = new float[size * size * depth];
        var seg = new float[size * size * depth];
        for (int k = 0; k < depth; k++)
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                {
                    int index = (k * size + y) * size + x;
                    image[index] = 1 + x + y;
                    if (k is >= 1 and <= 10 && x is >= 2 and < 13 && y is >= 2 and < 13) seg[index] = 1;
                }
        var identity = new double[,] { { 1, 0, 0, 0 }, { 0, 1, 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 0, 1 } };
        string folder = Path.Combine(root, caseId);
        Directory.CreateDirectory(folder);
        VolumeIO.Write(new Volume([size, size, depth], [image], identity), Path.Combine(folder, "t1c.nii.gz"));
        VolumeIO.Write(new Volume([size, size, depth], [image], identity), Path.Combine(folder, "flair.nii.gz"));
        VolumeIO.Write(new Volume([size, size, depth], [seg], identity), Path.Combine(folder, "seg.nii.gz"));
        return root;
    }

    [Fact]
    public void TuningStreamsShareNoSliceWithTheEvaluationStreamAndTogetherCoverEveryLesionSlice()
    {
        string root = Path.Combine(Path.GetTempPath(), "oaims-brain-stream-" + Guid.NewGuid().ToString("N"));
        try
        {
            WriteCase(root);
            var streams = Enumerable.Range(0, 3)
                .Select(offset => TaskData.Load(SegmentationTask.BrainLesion, root, "t1c", null, null, forTraining: false, sliceOffset: offset)
                    .Select(s => s.Id).ToList())
                .ToList();

            Assert.Equal(["case01/z001", "case01/z004", "case01/z007", "case01/z010"], streams[0]);
            Assert.Equal(["case01/z002", "case01/z005", "case01/z008"], streams[1]);
            Assert.Equal(10, streams.SelectMany(s => s).Distinct().Count());
            Assert.Throws<ArgumentException>(() => TaskData.Load(SegmentationTask.BrainLesion, root, "t1c", null, null, forTraining: false, sliceOffset: 3));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void OneLesionSliceInOneKeepsEveryLesionSlice()
    {
        string root = Path.Combine(Path.GetTempPath(), "oaims-brain-stream-" + Guid.NewGuid().ToString("N"));
        try
        {
            WriteCase(root);
            var all = TaskData.Load(SegmentationTask.BrainLesion, root, "t1c", null, null, forTraining: false, lesionSliceEvery: 1);
            Assert.Equal(Enumerable.Range(1, 10).Select(k => $"case01/z{k:D3}"), all.Select(s => s.Id));
            Assert.Throws<ArgumentException>(() => TaskData.Load(SegmentationTask.BrainLesion, root, "t1c", null, null, forTraining: false, sliceOffset: 1, lesionSliceEvery: 1));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void TheProtocolTunesAndReportsOnDifferentPatientsAndReportsEveryLesionSliceOfTheUnseenOne()
    {
        string root = Path.Combine(Path.GetTempPath(), "oaims-brain-protocol-" + Guid.NewGuid().ToString("N"));
        try
        {
            foreach (string id in new[] { "pat0001", "pat0002", "pat0003", "pat0004" }) WriteCase(root, id);
            static HashSet<string> Patients(IEnumerable<SliceSample> stream) => stream.Select(s => Evaluation.BrainProtocol.PatientOf(s.Id)).ToHashSet();
            var tuning = Evaluation.BrainProtocol.TuningStream(root);
            var reported = Evaluation.BrainProtocol.EvaluationStream(root);
            var seen = Evaluation.BrainProtocol.SeenPatientStream(root);

            Assert.Equal(["pat0004"], Patients(reported));
            Assert.Equal(10, reported.Count); // every lesion slice
            Assert.DoesNotContain("pat0004", Patients(tuning));
            Assert.DoesNotContain("pat0004", Patients(seen));
            Assert.Empty(tuning.Select(s => s.Id).Intersect(seen.Select(s => s.Id))); // the seen-patient report skips the tuning slices
            Assert.Equal(["pat0004"], Patients(Evaluation.BrainProtocol.SourceValidation(root)));

            // The same-patient retention check adapts on a whole tuning patient, never on the unseen one.
            var ownT1c = Evaluation.BrainProtocol.TuningPatientTarget(root, "pat0002");
            Assert.Equal(["pat0002"], Patients(ownT1c));
            Assert.Equal(10, ownT1c.Count);
            Assert.Throws<ArgumentException>(() => Evaluation.BrainProtocol.TuningPatientTarget(root, "pat0004"));
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
