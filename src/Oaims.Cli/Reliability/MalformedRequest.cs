using Grpc.Core;
using Oaims.Imaging;
using Oaims.Service.V1;

namespace Oaims.Cli.Reliability;

/// <summary>One deliberately wrong request to the sidecar: the RPC, what is wrong with it, and how to send it.</summary>
public sealed record MalformedRequest(string Method, string Case, Func<CallInvoker, CallOptions, Task> Send)
{
    /// <summary>Sends the request and reports the server's answer; <see cref="StatusCode.OK"/> means it was wrongly accepted.</summary>
    public async Task<MalformedOutcome> RunAsync(CallInvoker invoker, TimeSpan deadline, CancellationToken cancellation = default)
    {
        try
        {
            await Send(invoker, new CallOptions(deadline: DateTime.UtcNow + deadline, cancellationToken: cancellation));
            return new MalformedOutcome(Method, Case, StatusCode.OK, "");
        }
        catch (RpcException e)
        {
            return new MalformedOutcome(Method, Case, e.StatusCode, e.Status.Detail);
        }
    }

    public override string ToString() => $"{Method}: {Case}";
}

/// <summary>What the server answered to one malformed request.</summary>
public sealed record MalformedOutcome(string Method, string Case, StatusCode Code, string Detail)
{
    public override string ToString() => $"{Method}: {Case} -> {Code} ({Detail})";
}

/// <summary>
/// What the malformed requests aim at: a real workspace and an open session on a real image, so that each wrong field
/// sits behind valid ones and reaches the check meant for it (a bad click is only checked on a real session).
/// </summary>
public sealed record MalformedTarget(string Workspace, string Model, string SessionId, string ImageId, int[] SessionDims, int MaxMessageBytes)
{
    /// <summary>Optional: a plain file under the server's checkpoint root (relative path), to aim saves and exports at.</summary>
    public string? FileUnderRoot { get; init; }

    /// <summary>Optional: a symbolic link under the checkpoint root (relative path), which the server must not follow.</summary>
    public string? SymlinkUnderRoot { get; init; }

    /// <summary>Optional: the server's datastore, to aim Datastore requests (and propagation on a 3D session) at.</summary>
    public MalformedDatastoreTarget? Datastore { get; init; }

    /// <summary>
    /// Aims at the server's datastore too: leases its first image to a session of the workspace for an hour (so that no
    /// other session may open it during the run) and leaves its second free. Needs a datastore of two images or more.
    /// </summary>
    public async Task<MalformedTarget> WithDatastoreAsync(CallInvoker invoker, CancellationToken cancellation = default)
    {
        var datastore = new Service.V1.Datastore.DatastoreClient(invoker);
        var images = (await datastore.ListImagesAsync(new ListImagesRequest(), cancellationToken: cancellation)).Images;
        if (images.Count < 2) throw new InvalidOperationException($"The malformed requests need a datastore of two images or more; this one holds {images.Count}.");
        var held = await datastore.OpenImageAsync(new OpenImageRequest { Workspace = Workspace, ImageId = images[0].Id, TargetClass = 1, LeaseSeconds = 3600 },
            cancellationToken: cancellation);
        return this with { Datastore = new MalformedDatastoreTarget(images[0].Id, images[1].Id, held.Session.SessionId, [.. held.Session.Dims]) };
    }

    /// <summary>Prepares a target through a client: uploads a small phantom with as many channels as the workspace's model takes and opens a session on it.</summary>
    public static async Task<MalformedTarget> OpenAsync(RemoteClient client, string workspace, CancellationToken cancellation = default)
    {
        var capabilities = await client.CapabilitiesAsync(cancellation);
        var info = await client.Workspaces.GetWorkspaceAsync(new GetWorkspaceRequest { Workspace = workspace }, cancellationToken: cancellation);
        int channels = capabilities.Models.Single(m => m.Name == info.Model).ImageChannels;
        var phantom = Phantom.Generate2D(32, 32, seed: 1).Image;
        var image = new Volume(phantom.Dims, [.. Enumerable.Repeat(phantom.Channels[0], channels)], phantom.IjkToRas);
        var reference = await client.UploadAsync(image, "malformed-requests-target", cancellation: cancellation);
        var session = await client.OpenSessionAsync(workspace, reference.ImageId, targetClass: 1, cancellation: cancellation);
        return new MalformedTarget(workspace, info.Model, session.SessionId, session.ImageId, [.. session.Dims], capabilities.Limits.MaxMessageBytes);
    }
}

/// <summary>
/// The datastore side of a <see cref="MalformedTarget"/>: an image a session of the target holds (that session, on a 3D
/// image, also takes the propagation requests) and an image no session holds.
/// </summary>
public sealed record MalformedDatastoreTarget(string HeldImageId, string FreeImageId, string HeldSessionId, int[] HeldSessionDims);
