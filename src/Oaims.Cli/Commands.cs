using System.CommandLine;

namespace Oaims.Cli;

/// <summary>The list of `oaims` sub-commands; each lives in its own *Command.cs file.</summary>
public static class Commands
{
    public static IEnumerable<Command> All()
    {
        yield return TrainCommand.Create();
        yield return EvalCommand.Create();
        yield return PrelabelCommand.Create();
        yield return ImportanceCommand.Create();
        yield return ImportModelCommand.Create();
        yield return ExportModelCommand.Create();
        yield return ExperimentsCommand.Create();
        yield return BenchCommand.Create();
        yield return InfoCommand.Create();
        yield return ConvertCommand.Create();
        yield return ServeCommand.Create();
        yield return HealthCommand.Create();
        yield return DemoCommand.Create();
        yield return Reliability.SoakCommand.Create();
    }
}
