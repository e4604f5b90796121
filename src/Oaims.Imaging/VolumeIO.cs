namespace Oaims.Imaging;

/// <summary>Reads and writes volumes, choosing NIfTI, NRRD or PNG from the file extension (case-insensitive).</summary>
public static class VolumeIO
{
    /// <summary>Extensions <see cref="Read"/> understands (.hdr/.hdr.gz are NIfTI pair headers, read only).</summary>
    public static IReadOnlyList<string> ReadableExtensions { get; } = new[] { ".nii", ".nii.gz", ".hdr", ".hdr.gz", ".nrrd", ".nhdr", ".png" };

    /// <summary>Extensions <see cref="Write"/> understands.</summary>
    public static IReadOnlyList<string> WritableExtensions { get; } = new[] { ".nii", ".nii.gz", ".nrrd", ".nhdr", ".png" };

    /// <exception cref="ImageFormatException">The file is damaged, not what its extension says, or over the limits.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static Volume Read(string path, ReadLimits? limits = null) => Extension(path) switch
    {
        ".nii" or ".nii.gz" or ".hdr" or ".hdr.gz" => NiftiFile.Read(path, limits),
        ".nrrd" or ".nhdr" => NrrdFile.Read(path, limits),
        ".png" => PngFile.Read(path, limits),
        var ext => throw new ImageFormatException(path, $"has the extension '{ext}', which OAIMS cannot read (use {string.Join(", ", ReadableExtensions)})"),
    };

    /// <summary>Writes atomically; <paramref name="dtype"/> defaults to float32 (uint8 for PNG).</summary>
    /// <exception cref="ArgumentException">The extension or the element type does not suit the format.</exception>
    public static void Write(Volume volume, string path, VoxelType? dtype = null)
    {
        switch (Extension(path))
        {
            case ".nii" or ".nii.gz":
                NiftiFile.Write(volume, path, dtype ?? VoxelType.Float32);
                break;
            case ".nrrd" or ".nhdr":
                NrrdFile.Write(volume, path, dtype ?? VoxelType.Float32);
                break;
            case ".png":
                PngFile.Write(volume, path, dtype ?? VoxelType.UInt8);
                break;
            case var ext:
                throw new ArgumentException($"{Path.GetFileName(path)} has the extension '{ext}', which OAIMS cannot write (use {string.Join(", ", WritableExtensions)}).", nameof(path));
        }
    }

    /// <summary>The extension including a trailing ".gz" ("scan.nii.gz" gives ".nii.gz"), lower-cased.</summary>
    public static string Extension(string path)
    {
        string name = Path.GetFileName(path).ToLowerInvariant();
        string ext = Path.GetExtension(name);
        if (ext == ".gz") ext = Path.GetExtension(name[..^3]) + ext;
        return ext;
    }
}
