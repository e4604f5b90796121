using System.CommandLine;

namespace Oaims.Cli;

/// <summary>Small constructors for the options several commands share, so they read and behave the same.</summary>
public static class CliOptions
{
    public static Option<string> Required(string name, string description) => new(name) { Description = description, Required = true };

    public static Option<T> WithDefault<T>(string name, T value, string description) =>
        new(name) { Description = description, DefaultValueFactory = _ => value };

    public static Option<string?> Optional(string name, string description) => new(name) { Description = description };

    /// <summary>The command as the user typed it, for the provenance recorded in cards and results.</summary>
    public static string CommandLine() => "oaims " + string.Join(" ", Environment.GetCommandLineArgs().Skip(1));

    /// <summary>"a,b,c" -> list; null stays null.</summary>
    public static IReadOnlyList<string>? SplitList(string? value) =>
        value?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Runs a command body, turning expected failures into one line on stderr and exit code 2.</summary>
    public static int Guarded(Func<int> body)
    {
        try { return body(); }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException
                                      or Oaims.Learning.TorchUnavailableException or Oaims.Imaging.ImageFormatException)
        {
            Console.Error.WriteLine($"oaims: {e.Message}");
            return 2;
        }
    }
}
