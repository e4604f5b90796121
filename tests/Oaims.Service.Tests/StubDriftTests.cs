using System.Diagnostics;

namespace Oaims.Service.Tests;

public sealed class StubDriftTests
{
    [Fact]
    public void The_committed_python_stubs_match_the_proto()
    {
        string repository = Checkout.Root;
        string committed = Path.Combine(repository, "slicer-plugin", "oaims_client", "generated");
        string fresh = Directory.CreateTempSubdirectory("oaims-stubs-").FullName;
        try
        {
            var run = Process.Start(new ProcessStartInfo("bash", [Path.Combine(repository, "protos", "generate_python.sh"), fresh])
                { RedirectStandardError = true, RedirectStandardOutput = true })!;
            string errors = run.StandardError.ReadToEnd();
            run.WaitForExit();
            Assert.True(run.ExitCode == 0, $"protos/generate_python.sh failed (needs protoc and grpc_python_plugin): {errors}");

            var expected = Directory.GetFiles(fresh).Select(Path.GetFileName).Order().ToList();
            var actual = Directory.GetFiles(committed).Select(Path.GetFileName).Order().ToList();
            Assert.Equal(expected, actual);
            foreach (string? name in expected)
                Assert.True(File.ReadAllBytes(Path.Combine(fresh, name!)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(committed, name!))),
                    $"slicer-plugin/oaims_client/generated/{name} differs from what protos/oaims/v1 generates: run protos/generate_python.sh and commit.");
        }
        finally { Directory.Delete(fresh, recursive: true); }
    }
}
