using Oaims.Imaging.Tests.Support;

namespace Oaims.Imaging.Tests;

/// <summary>The real BraTS 2013 sample in ../shared/data must read exactly as nibabel reads it.</summary>
public sealed class BratsInteropTests
{
    private const string Script = """
        out = []
        for p in sys.argv[1:]:
            img = nib.load(p)
            a = f32(img)
            out.append(dict(path=p, shape=list(a.shape), affine=img.affine.tolist(), sha=sha(a),
                            min=float(a.min()), max=float(a.max()), sum=float(a.sum(dtype=np.float64))))
        print(json.dumps(out))
        """;

    [Fact]
    public async Task Every_BraTS_file_has_nibabels_shape_affine_and_identical_float32_voxels()
    {
        var files = SharedData.BratsNiftiFiles();
        // nibabel runs while OAIMS reads the same files; the machine has two cores.
        var nibabel = Task.Run(() => Nibabel.RunJson(Script, files));
        var ours = files.Select(f =>
        {
            var v = NiftiFile.Read(f);
            return (Volume: v, Sha: Assertions.Sha256(v));
        }).ToArray();
        var expected = (await nibabel).EnumerateArray().ToArray();

        Assert.Equal(files.Length, expected.Length);
        var failures = new List<string>();
        for (int i = 0; i < files.Length; i++)
        {
            var (v, sha) = ours[i];
            var e = expected[i];
            string name = Path.GetRelativePath(SharedData.Brats2013, files[i]);
            var shape = e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray();
            if (!shape.SequenceEqual(v.Dims)) failures.Add($"{name}: shape {string.Join("x", v.Dims)} vs nibabel {string.Join("x", shape)}");
            try { Assertions.AffineEqual(Nibabel.Matrix(e.GetProperty("affine")), v.IjkToRas, 1e-4); }
            catch (Exception ex) { failures.Add($"{name}: {ex.Message}"); }
            if (sha != e.GetProperty("sha").GetString())
            {
                var s = VolumeSummary.Of(v);
                failures.Add($"{name}: voxels differ (OAIMS min {s.Min} max {s.Max}; nibabel min {e.GetProperty("min")} max {e.GetProperty("max")} sum {e.GetProperty("sum")})");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void The_brain_mask_keeps_nibabels_scaled_values_not_exactly_one()
    {
        string path = Path.Combine(SharedData.Brats2013, "pat0001", "brainmask.nii.gz");

        var summary = VolumeSummary.Of(NiftiFile.Read(path));

        Assert.Equal("int32", summary.DataType);
        Assert.Equal(0.0, summary.Min);
        Assert.Equal((double)(float)0.9999999701976776, summary.Max);
    }
}
