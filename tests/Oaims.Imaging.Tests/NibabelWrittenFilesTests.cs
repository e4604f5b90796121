using System.Text.Json;
using Oaims.Imaging.Tests.Support;

namespace Oaims.Imaging.Tests;

/// <summary>Writes NIfTI variants with nibabel once; each test reads one with OAIMS and compares with what nibabel reads.</summary>
public sealed class NibabelWrittenFiles : IDisposable
{
    private const string Script = """
        import os, struct
        out = sys.argv[1]
        rng = np.random.default_rng(7)
        c, s = np.cos(0.4), np.sin(0.4)
        A = np.array([[0.8 * c, -1.2 * s, 0, 10.5], [0.8 * s, 1.2 * c, 0, -20.25], [0, 0, 2.5, 30], [0, 0, 0, 1]])
        left = np.diag([-1.0, 1, 1, 1]) @ A          # det < 0: qfac = -1
        B = np.diag([-1.5, 1.5, 3.0, 1]); B[:3, 3] = [5, 6, 7]
        meta = {}

        def record(name):
            p = os.path.join(out, name)
            img = nib.load(p)
            data = np.asarray(img.dataobj)
            if data.dtype.names:  # RGB: one channel per field
                data = np.stack([data[f] for f in data.dtype.names], axis=-1)
            dump(p + '.expected.raw', data)
            h = img.header
            meta[name] = dict(affine=img.affine.tolist(), shape=list(data.shape),
                              sform=int(h['sform_code']), qform=int(h['qform_code']), endian=h.endianness)

        hdr = nib.Nifti1Header(); hdr.set_data_dtype(np.int16)
        hdr.set_qform(left, 1); hdr['sform_code'] = 0
        nib.save(nib.Nifti1Image(rng.integers(-500, 500, (5, 4, 3)).astype(np.int16), None, hdr), os.path.join(out, 'qform_only.nii'))
        record('qform_only.nii')

        hdr = nib.Nifti1Header(); hdr.set_data_dtype(np.float32)
        hdr.set_qform(B, 1); hdr.set_sform(A, 2)
        nib.save(nib.Nifti1Image(rng.standard_normal((5, 4, 3)).astype(np.float32), None, hdr), os.path.join(out, 'sform_wins.nii.gz'))
        record('sform_wins.nii.gz')

        p = os.path.join(out, 'scaled_int16.nii')
        nib.save(nib.Nifti1Image(rng.integers(-30000, 30000, (6, 5, 4)).astype(np.int16), A), p)
        with open(p, 'r+b') as f:  # scl_slope, scl_inter at bytes 112 and 116
            f.seek(112); f.write(struct.pack('<ff', 0.37, -12.5))
        record('scaled_int16.nii')

        hdr = nib.Nifti1Header(endianness='>')
        nib.save(nib.Nifti1Image(rng.standard_normal((4, 3, 2)).astype('>f4'), A, hdr), os.path.join(out, 'big_endian.nii'))
        record('big_endian.nii')

        nib.save(nib.Nifti2Image(rng.standard_normal((4, 3, 2)), left), os.path.join(out, 'nifti2.nii'))
        record('nifti2.nii')

        nib.save(nib.Nifti1Image(rng.standard_normal((4, 3, 2, 3)).astype(np.float32), A), os.path.join(out, 'four_d.nii.gz'))
        record('four_d.nii.gz')

        hdr = nib.Nifti1Header(); hdr.set_data_dtype(np.uint8); hdr.set_data_shape((5, 4, 3)); hdr.set_zooms((2.0, 3.0, 4.0))
        hdr['sform_code'] = 0; hdr['qform_code'] = 0
        nib.save(nib.Nifti1Image(rng.integers(0, 255, (5, 4, 3)).astype(np.uint8), None, hdr), os.path.join(out, 'no_xform.nii'))
        record('no_xform.nii')

        nib.save(nib.Nifti1Pair(rng.integers(0, 60000, (4, 3, 2)).astype(np.uint16), B), os.path.join(out, 'pair.img'))
        record('pair.hdr')

        rgb = np.zeros((3, 2, 2), dtype=[('R', 'u1'), ('G', 'u1'), ('B', 'u1')])
        rgb['R'] = rng.integers(0, 255, (3, 2, 2)); rgb['G'] = 7; rgb['B'] = rng.integers(0, 255, (3, 2, 2))
        nib.save(nib.Nifti1Image(rgb, A), os.path.join(out, 'rgb.nii'))
        record('rgb.nii')

        print(json.dumps(meta))
        """;

    private readonly TempDir _dir = new();

    public NibabelWrittenFiles()
    {
        Meta = Nibabel.RunJson(Script, _dir.Path);
    }

    public JsonElement Meta { get; }

    public string Path(string name) => _dir.File(name);

    public void Dispose() => _dir.Dispose();
}

public sealed class NibabelWrittenFilesTests : IClassFixture<NibabelWrittenFiles>
{
    private readonly NibabelWrittenFiles _files;

    public NibabelWrittenFilesTests(NibabelWrittenFiles files) => _files = files;

    private Volume ReadsAsNibabel(string name)
    {
        var meta = _files.Meta.GetProperty(name);
        var volume = NiftiFile.Read(_files.Path(name));
        Assertions.AffineEqual(Nibabel.Matrix(meta.GetProperty("affine")), volume.IjkToRas, 1e-6);
        Assertions.VoxelsEqual(Nibabel.ReadRaw(_files.Path(name) + ".expected.raw"), Assertions.AllVoxels(volume));
        return volume;
    }

    [Fact]
    public void A_qform_only_file_uses_the_qform_including_a_negative_qfac()
    {
        Assert.Equal(0, _files.Meta.GetProperty("qform_only.nii").GetProperty("sform").GetInt32());

        ReadsAsNibabel("qform_only.nii");
    }

    [Fact]
    public void When_sform_and_qform_differ_the_sform_wins()
    {
        ReadsAsNibabel("sform_wins.nii.gz");
    }

    [Fact]
    public void Scl_slope_and_scl_inter_on_int16_scale_exactly_as_nibabel()
    {
        var volume = ReadsAsNibabel("scaled_int16.nii");

        Assert.Equal("int16", volume.SourceDataType);
    }

    [Fact]
    public void A_big_endian_file_is_byte_swapped()
    {
        Assert.Equal(">", _files.Meta.GetProperty("big_endian.nii").GetProperty("endian").GetString());

        ReadsAsNibabel("big_endian.nii");
    }

    [Fact]
    public void A_nibabel_NIfTI_2_file_reads_as_nibabel_reads_it()
    {
        ReadsAsNibabel("nifti2.nii");
    }

    [Fact]
    public void The_fourth_dimension_becomes_channels()
    {
        var volume = ReadsAsNibabel("four_d.nii.gz");

        Assert.Equal(new[] { 4, 3, 2 }, volume.Dims);
        Assert.Equal(3, volume.ChannelCount);
    }

    [Fact]
    public void Without_sform_or_qform_the_affine_is_nibabels_centred_fallback()
    {
        ReadsAsNibabel("no_xform.nii");
    }

    [Fact]
    public void A_hdr_img_pair_reads_from_its_header()
    {
        ReadsAsNibabel("pair.hdr");
    }

    [Fact]
    public void RGB24_voxels_become_three_channels()
    {
        var volume = ReadsAsNibabel("rgb.nii");

        Assert.Equal(3, volume.ChannelCount);
        Assert.All(volume.Channels[1], v => Assert.Equal(7f, v));
    }
}
