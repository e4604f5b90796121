namespace Oaims.Service.Tests;

/// <summary>The OAIMS checkout the tests run from: the folder above the test binaries that holds OAIMS.sln.</summary>
public static class Checkout
{
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "OAIMS.sln"))) return dir.FullName;
            throw new DirectoryNotFoundException("OAIMS.sln not found above the test binaries: the tests run outside the OAIMS checkout.");
        }
    }
}
