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
