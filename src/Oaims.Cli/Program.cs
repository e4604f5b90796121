using System.CommandLine;
using Oaims.Cli;

var root = new RootCommand("OAIMS: interactive segmentation that learns from your clicks.");
foreach (var command in Commands.All()) root.Subcommands.Add(command);
return await root.Parse(args).InvokeAsync();
