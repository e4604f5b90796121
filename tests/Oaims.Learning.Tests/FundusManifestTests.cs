using Oaims.Learning.Data;

namespace Oaims.Learning.Tests;

public class FundusManifestTests
{
    [Fact]
    public void The_mean_disc_area_of_a_split_comes_from_the_manifest_alone()
    {
        string folder = Directory.CreateTempSubdirectory("oaims-manifest-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "manifest.csv"),
                "id,split,domain,disc_px,cup_px\na,train,x,100,\nb,test,x,900,\nc,train,x,300,\n");
            Assert.Equal(200, FundusImages.MeanDiscPixels(folder, "train"));
            Assert.Equal(["a", "c"], FundusImages.Ids(folder, "train"));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }
}
