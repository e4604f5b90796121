namespace Oaims.Imaging;

/// <summary>A file could not be read or written as an image; the message is one sentence naming the file and the problem.</summary>
public sealed class ImageFormatException : Exception
{
    public ImageFormatException(string path, string problem)
        : base($"{Path.GetFileName(path)} {problem}.")
    {
        FilePath = path;
    }

    /// <summary>The path of the offending file as the caller gave it.</summary>
    public string FilePath { get; }
}
