using Oaims.Imaging;
using Oaims.Interaction;
using Oaims.Service.V1;

namespace Oaims.Cli.Reliability;

/// <summary>
/// One simulated annotator over gRPC for the soak: clicks a 2D phantom where the simulated user of the experiments would
/// (the largest error, against the mask the server streamed back), then commits. Returns the click round trips.
/// </summary>
public static class SimulatedAnnotator
{
    /// <summary>A 2D brain-like phantom of the given side (one channel), different for every seed.</summary>
    public static PhantomCase Image(int side, int seed) => Phantom.Generate2D(side, side, seed);

    /// <summary>Opens a session on the image, makes up to <paramref name="clicks"/> clicks; commits when asked. Closes the session.</summary>
    public static async Task<(List<double> RoundTrips, long Version)> AnnotateAsync(RemoteClient client, string workspace, string imageId, PhantomCase image,
        int clicks, bool commit, CancellationToken cancellation = default)
    {
        var truth = LabelMap.FromBytes(image.Label.Dims[0], image.Label.Dims[1], image.Label.Channels[0].Select(v => (byte)v).ToArray());
        var session = await client.OpenSessionAsync(workspace, imageId, 1, cancellation: cancellation);
        var mask = new RemoteMask(session.Dims.ToArray());
        var roundTrips = new List<double>();
        long version = session.ModelVersion;
        try
        {
            for (int n = 0; n < clicks; n++)
            {
                var next = n == 0 ? SimulatedUser.FirstClick(truth) : SimulatedUser.NextClick(truth, mask.AxialSlice(0));
                if (next is not Interaction.Click c) break;
                var reply = await client.ClickAsync(session.SessionId, new Service.V1.Click { Axis = 2, I = c.X, J = c.Y, K = 0, ClassIndex = c.Class }, cancellation: cancellation);
                mask.Apply(reply.Mask.Delta);
                roundTrips.Add(reply.ClientMilliseconds);
                version = reply.Summary.ModelVersion;
            }
            if (commit) version = (await client.CommitAsync(session.SessionId, cancellation: cancellation)).Summary.ModelVersion;
        }
        finally
        {
            try { await client.CloseSessionAsync(session.SessionId, CancellationToken.None); }
            catch (Grpc.Core.RpcException) { /* a killed server or an expired lease: nothing to free here */ }
        }
        return (roundTrips, version);
    }
}
