using Oaims.Service.V1;

namespace Oaims.Cli.Reliability;

/// <summary>
/// The soak's load test: several annotators clicking at once in one workspace (a lab sharing its adapted model). Every
/// click must succeed; its round trip includes the wait behind the others' clicks, since one worker serialises a
/// workspace's model.
/// </summary>
public static class ConcurrentAnnotators
{
    public sealed record Result(int Clients, int ClicksEach, int Clicks, int Failures, double P50, double P99, double Max, long FinalVersion, double Seconds);

    public static async Task<Result> RunAsync(Uri server, string workspace, string model, int clients, int clicksEach, int imageSide)
    {
        using (var setup = new RemoteClient(server))
            await setup.Workspaces.CreateWorkspaceAsync(new CreateWorkspaceRequest { Name = workspace, Model = model });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int failures = 0;
        var all = await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            using var client = new RemoteClient(server);
            var image = SimulatedAnnotator.Image(imageSide, seed: 5000 + c);
            var reference = await client.UploadAsync(image.Image);
            try
            {
                var (roundTrips, _) = await SimulatedAnnotator.AnnotateAsync(client, workspace, reference.ImageId, image, clicksEach, commit: true);
                return roundTrips;
            }
            catch (Grpc.Core.RpcException)
            {
                Interlocked.Increment(ref failures);
                return [];
            }
        }));
        var times = all.SelectMany(t => t).Order().ToArray();
        long version;
        using (var check = new RemoteClient(server))
            version = (await check.Workspaces.GetWorkspaceAsync(new GetWorkspaceRequest { Workspace = workspace })).ModelVersion;
        return new Result(clients, clicksEach, times.Length, failures, Quantile(times, 0.5), Quantile(times, 0.99), times.LastOrDefault(), version, clock.Elapsed.TotalSeconds);
    }

    static double Quantile(double[] sorted, double q)
    {
        if (sorted.Length == 0) return double.NaN;
        double position = q * (sorted.Length - 1);
        int low = (int)Math.Floor(position), high = (int)Math.Ceiling(position);
        return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
    }
}
