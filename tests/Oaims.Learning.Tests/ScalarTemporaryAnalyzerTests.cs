using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Oaims.Analyzers;

namespace Oaims.Learning.Tests;

/// <summary>OAIMS001 on snippets compiled against the real TorchSharp: what it refuses and what it lets through.</summary>
public sealed class ScalarTemporaryAnalyzerTests
{
    [Theory]
    [InlineData("t.mul(2.0)")]                       // a number converted at a call
    [InlineData("t * 0.5")]                          // TorchSharp's number operators convert inside TorchSharp
    [InlineData("0.5 * t")]
    [InlineData("t.clamp_min(1e-6)")]
    [InlineData("t.pow(2.0.ToScalar())")]            // the same temporary, made explicit
    public void A_Scalar_made_for_one_call_is_refused(string expression)
    {
        var diagnostics = Analyze($"var r = {expression};");
        Assert.Equal(ScalarTemporaryAnalyzer.Id, Assert.Single(diagnostics).Id);
    }

    [Theory]
    [InlineData("using Scalar two = 2.0; var r = t.mul(two);")]
    [InlineData("using (Scalar two = 2.0) { var r = t.mul(two); }")]
    [InlineData("var r = t.mul(Held);")]
    [InlineData("var r = t * t;")]
    public void A_Scalar_held_under_a_name_or_no_number_at_all_passes(string statements)
    {
        Assert.Empty(Analyze(statements));
    }

    [Fact]
    public void A_plain_local_is_refused_too_since_nothing_keeps_it_alive_after_its_last_use()
    {
        var diagnostics = Analyze("Scalar two = 2.0; var r = t.mul(two);");
        Assert.Equal(ScalarTemporaryAnalyzer.Id, Assert.Single(diagnostics).Id);
    }

    static ImmutableArray<Diagnostic> Analyze(string statements)
    {
        string source = $$"""
            using TorchSharp;
            using static TorchSharp.torch;
            static class Snippet
            {
                static readonly Scalar Held = 2.0;
                static void Run(Tensor t) { {{statements}} }
            }
            """;
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Append(typeof(TorchSharp.torch).Assembly.Location)
            .Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create("Snippet", [CSharpSyntaxTree.ParseText(source)], references,
                                                   new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "The snippet must compile: " + string.Join("; ", errors));
        return compilation.WithAnalyzers([new ScalarTemporaryAnalyzer()]).GetAnalyzerDiagnosticsAsync().Result;
    }
}
