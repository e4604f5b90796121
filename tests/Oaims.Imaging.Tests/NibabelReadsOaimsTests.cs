using System.Text.Json;
using Oaims.Imaging.Tests.Support;

namespace Oaims.Imaging.Tests;

/// <summary>Writes files with OAIMS once and reads them all with nibabel in one Python run.</summary>
public sealed class OaimsWrittenFiles : IDisposable
{
    private const string Script = """
        import os
        meta = {}
        for p in sys.argv[1:]:
            img = nib.load(p)
            h = img.header
            dump(p + '.nibabel.raw', np.asarray(img.dataobj))
            meta[os.path.basename(p)] = dict(affine=img.affine.tolist(), qform=h.get_qform().tolist(), sform=h.get_sform().tolist(),
                                             sform_code=int(h['sform_code']), qform_code=int(h['qform_code']),
                                             shape=list(img.shape), dtype=str(h.get_data_dtype()), version=int(h.sizeof_hdr))
        print(json.dumps(meta))
        """;

    private readonly TempDir _dir = new();

    public OaimsWrittenFiles()
    {
        Sources["v1.nii.gz"] = Volumes.Ramp(VoxelType.Float32, 6, 5, 4);
        NiftiFile.Write(Sources["v1.nii.gz"], Path("v1.nii.gz"));
        Sources["v1_int16.nii"] = Volumes.Ramp(VoxelType.Int16, 6, 5, 4);
        NiftiFile.Write(Sources["v1_int16.nii"], Path("v1_int16.nii"), VoxelType.Int16);
        Sources["v2_uint8.nii"] = Volumes.Ramp(VoxelType.UInt8, 6, 5, 4);
        NiftiFile.Write(Sources["v2_uint8.nii"], Path("v2_uint8.nii"), VoxelType.UInt8, version: 2);
        Sources["multi.nii.gz"] = Volumes.Ramp(VoxelType.Int32, 4, 3, 2, channels: 2);
        NiftiFile.Write(Sources["multi.nii.gz"], Path("multi.nii.gz"), VoxelType.Int32, xformCode: 2);
        Sources["from_nrrd.nii.gz"] = Volumes.Ramp(VoxelType.Float32, 5, 4, 3);
        NrrdFile.Write(Sources["from_nrrd.nii.gz"], Path("source.nrrd"));
        VolumeIO.Write(VolumeIO.Read(Path("source.nrrd")), Path("from_nrrd.nii.gz"));
        Meta = Nibabel.RunJson(Script, Sources.Keys.Select(Path).ToArray());
    }

    public Dictionary<string, Volume> Sources { get; } = new();

    public JsonElement Meta { get; }

    public string Path(string name) => _dir.File(name);

    public void Dispose() => _dir.Dispose();
}

public sealed class NibabelReadsOaimsTests : IClassFixture<OaimsWrittenFiles>
{
    private readonly OaimsWrittenFiles _files;

    public NibabelReadsOaimsTests(OaimsWrittenFiles files) => _files = files;

    private JsonElement NibabelSeesTheSameVolume(string name)
    {
        var source = _files.Sources[name];
        var meta = _files.Meta.GetProperty(name);
        Assertions.AffineEqual(source.IjkToRas, Nibabel.Matrix(meta.GetProperty("affine")), 1e-5);
        Assertions.VoxelsEqual(Assertions.AllVoxels(source), Nibabel.ReadRaw(_files.Path(name) + ".nibabel.raw"));
        return meta;
    }

    [Theory]
    [InlineData("v1.nii.gz", "float32")]
    [InlineData("v1_int16.nii", "int16")]
    [InlineData("multi.nii.gz", "int32")]
    public void NIfTI_1_output_reads_in_nibabel_with_the_same_affine_voxels_and_dtype(string name, string dtype)
    {
        var meta = NibabelSeesTheSameVolume(name);

        Assert.Equal(348, meta.GetProperty("version").GetInt32());
        Assert.Equal(dtype, meta.GetProperty("dtype").GetString());
    }

    [Fact]
    public void NIfTI_2_output_reads_in_nibabel_with_the_same_affine_and_voxels()
    {
        var meta = NibabelSeesTheSameVolume("v2_uint8.nii");

        Assert.Equal(540, meta.GetProperty("version").GetInt32());
    }

    [Fact]
    public void NRRD_converted_to_NIfTI_reads_in_nibabel_with_the_original_geometry()
    {
        NibabelSeesTheSameVolume("from_nrrd.nii.gz");
    }

    [Theory]
    [InlineData("v1.nii.gz", 1)]
    [InlineData("multi.nii.gz", 2)]
    public void Both_sform_and_qform_are_set_and_describe_the_same_oblique_left_handed_grid(string name, int code)
    {
        var meta = _files.Meta.GetProperty(name);

        Assert.Equal(code, meta.GetProperty("sform_code").GetInt32());
        Assert.Equal(code, meta.GetProperty("qform_code").GetInt32());
        Assertions.AffineEqual(Nibabel.Matrix(meta.GetProperty("sform")), Nibabel.Matrix(meta.GetProperty("qform")), 1e-5);
    }

    [Fact]
    public void Several_channels_appear_in_nibabel_as_a_fourth_dimension()
    {
        var shape = _files.Meta.GetProperty("multi.nii.gz").GetProperty("shape").EnumerateArray().Select(e => e.GetInt32());

        Assert.Equal(new[] { 4, 3, 2, 2 }, shape);
    }
}
