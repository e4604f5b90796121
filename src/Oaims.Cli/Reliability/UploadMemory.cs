using Grpc.Core;
using Oaims.Imaging;
using Oaims.Service.V1;

namespace Oaims.Cli.Reliability;

/// <summary>
/// The soak's memory test: many distinct volumes uploaded to a server with a configured memory budget, a session opened
/// on every tenth. The server's resident memory (Linux /proc) must stay within the budget plus a stated constant for what
/// the budget does not charge (the .NET runtime, LibTorch and its threads, buffers in flight): the budget, not the number
/// of uploads, bounds it.
/// </summary>
public static class UploadMemory
{
    public sealed record Result(int Uploads, int Refused, long VolumeBytes, long BudgetBytes, long IdleResident, long PeakResident, long FinalResident,
        long AllowanceBytes, IReadOnlyList<(int Uploads, long Resident)> Samples)
    {
        /// <summary>The budget plus a stated constant for what the budget does not charge (the runtime, LibTorch, buffers in flight).</summary>
        public long Bound => BudgetBytes + AllowanceBytes;
        public bool WithinBound => PeakResident <= Bound;
    }

    public static async Task<Result> RunAsync(ServerProcess server, string workspace, int uploads, int[] dims, long budgetBytes, long allowanceBytes)
    {
        var idle = server.Memory() ?? throw new PlatformNotSupportedException("Memory figures need Linux (/proc).");
        var samples = new List<(int, long)> { (0, idle.Resident) };
        int refused = 0;
        using var client = new RemoteClient(server.Address);
        for (int n = 1; n <= uploads; n++)
        {
            var volume = Phantom.Generate(new PhantomOptions { Width = dims[0], Height = dims[1], Depth = dims[2], Seed = 9000 + n }).Image;
            try
            {
                var reference = await client.UploadAsync(volume);
                if (n % 10 == 0)
                {
                    var session = await client.OpenSessionAsync(workspace, reference.ImageId, 1);
                    await client.CloseSessionAsync(session.SessionId);
                }
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted) { refused++; }
            if (n % 10 == 0 && server.Memory() is { } m) samples.Add((n, m.Resident));
        }
        var end = server.Memory()!.Value;
        return new Result(uploads, refused, (long)dims[0] * dims[1] * dims[2] * sizeof(float), budgetBytes, idle.Resident, end.Peak, end.Resident, allowanceBytes, samples);
    }
}
