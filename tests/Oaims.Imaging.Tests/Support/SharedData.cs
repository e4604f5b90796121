namespace Oaims.Imaging.Tests.Support;

/// <summary>Finds ../shared/data next to the repository (the folder holding OAIMS.sln); fails loudly when it is absent.</summary>
public static class SharedData
{
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "OAIMS.sln"))) return dir.FullName;
            throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} contains OAIMS.sln, so ../shared/data cannot be located.");
        }
    }

    public static string Brats2013
    {
        get
        {
            string dir = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data", "brats2013"));
            if (!Directory.Exists(dir))
                throw new InvalidOperationException($"The shared BraTS 2013 sample is missing: expected it at {dir} (../shared/data/brats2013 beside the repository). These interop tests need it and must not pass without it.");
            return dir;
        }
    }

    public static string[] BratsNiftiFiles()
    {
        var files = Directory.GetFiles(Brats2013, "*.nii.gz", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw new InvalidOperationException($"{Brats2013} holds no .nii.gz files.");
        return files;
    }
}
