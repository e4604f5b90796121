using System.CommandLine;
using Oaims.Imaging;

namespace Oaims.Cli;

/// <summary>`oaims info FILE [--json]`: shape, type, geometry and intensity range of an image.</summary>
public static class InfoCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "image file (.nii, .nii.gz, .nrrd, .nhdr, .png)" };
        var json = new Option<bool>("--json") { Description = "print one JSON object instead of text" };
        var command = new Command("info", "Show an image's shape, data type, geometry (IJK to RAS) and min/max/mean.");
        command.Arguments.Add(file);
        command.Options.Add(json);
        command.SetAction(parse => Run(() =>
        {
            string path = parse.GetValue(file)!;
            var summary = VolumeSummary.Of(VolumeIO.Read(path));
            Console.WriteLine(parse.GetValue(json) ? summary.ToJson() : summary.ToText(Path.GetFileName(path)));
            return 0;
        }));
        return command;
    }

    /// <summary>Expected failures (bad file, missing file) become one line on stderr and exit code 2, without a stack trace.</summary>
    internal static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is ImageFormatException or IOException or ArgumentException or UnauthorizedAccessException)
        {
            string message = e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "") : e.Message;
            Console.Error.WriteLine($"oaims: {message}");
            return 2;
        }
    }
}
