using System.Text.Json;
using Oaims.Imaging.Tests.Support;

namespace Oaims.Imaging.Tests;

public sealed class VolumeSummaryTests
{
    [Fact]
    public void The_json_has_exactly_the_documented_keys_in_order()
    {
        var v = new Volume(new[] { 2, 1, 1 }, new[] { new float[] { 1, 3 } }, Volume.Identity4(), "int16");

        string json = VolumeSummary.Of(v).ToJson();

        Assert.Equal("""{"shape":[2,1,1],"channels":1,"dtype":"int16","spacing":[1,1,1],"ijk_to_ras":[[1,0,0,0],[0,1,0,0],[0,0,1,0],[0,0,0,1]],"min":1,"max":3,"mean":2}""", json);
    }

    [Fact]
    public void Statistics_cover_every_channel_and_ignore_NaN()
    {
        var v = new Volume(new[] { 2, 1, 1 }, new[] { new float[] { 1, float.NaN }, new float[] { -2, 7 } }, Volume.Identity4());

        var s = VolumeSummary.Of(v);

        Assert.Equal((-2.0, 7.0, 2.0), (s.Min!.Value, s.Max!.Value, s.Mean!.Value));
    }

    [Fact]
    public void Orientation_names_where_each_voxel_axis_points()
    {
        var lps = Volume.Identity4();
        lps[0, 0] = -1;
        lps[1, 1] = -1;

        Assert.Equal("LPS", VolumeSummary.Of(new Volume(new[] { 1, 1, 1 }, new[] { new float[1] }, lps)).Orientation);
    }

    [Fact]
    public void Info_json_for_BraTS_flair_matches_nibabel_shape_affine_min_max_and_mean()
    {
        string path = Path.Combine(SharedData.Brats2013, "pat0001", "flair.nii.gz");
        var nibabel = Nibabel.RunJson("""
            img = nib.load(sys.argv[1]); a = img.get_fdata()
            print(json.dumps(dict(shape=list(a.shape), affine=img.affine.tolist(), min=a.min(), max=a.max(), mean=a.mean())))
            """, path);

        var json = JsonDocument.Parse(VolumeSummary.Of(VolumeIO.Read(path)).ToJson()).RootElement;

        Assert.Equal(nibabel.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()), json.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assertions.AffineEqual(Nibabel.Matrix(nibabel.GetProperty("affine")), Nibabel.Matrix(json.GetProperty("ijk_to_ras")), 1e-4);
        foreach (string key in new[] { "min", "max", "mean" })
        {
            double expected = nibabel.GetProperty(key).GetDouble(), actual = json.GetProperty(key).GetDouble();
            Assert.True(Math.Abs(actual - expected) <= 1e-4 * Math.Abs(expected), $"{key}: OAIMS {actual}, nibabel {expected}");
        }
    }
}
