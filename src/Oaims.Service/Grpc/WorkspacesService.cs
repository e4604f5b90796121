using global::Grpc.Core;
using Oaims.Service.V1;

namespace Oaims.Service.Grpc;

/// <summary>The Workspaces service: wire messages in, calls on the <see cref="Sidecar"/>, wire messages out.</summary>
public sealed class WorkspacesService(Sidecar sidecar) : V1.Workspaces.WorkspacesBase
{
    public override async Task<WorkspaceInfo> CreateWorkspace(CreateWorkspaceRequest request, ServerCallContext context)
    {
        var workspace = await sidecar.CreateWorkspaceAsync(request.Name, request.Model, request.Strategy,
            request.HasLearningRate ? request.LearningRate : null, request.RestoreFrom);
        return Wire.ToWire(workspace);
    }

    public override async Task<WorkspaceInfo> GetWorkspace(GetWorkspaceRequest request, ServerCallContext context)
    {
        var workspace = sidecar.Workspace(request.Workspace);
        return Wire.ToWire(workspace, request.IncludeChecksum ? await sidecar.ChecksumAsync(workspace, context.CancellationToken) : null);
    }

    public override async Task<ListWorkspacesResponse> ListWorkspaces(ListWorkspacesRequest request, ServerCallContext context)
    {
        var response = new ListWorkspacesResponse();
        foreach (var workspace in sidecar.Workspaces)
            response.Workspaces.Add(Wire.ToWire(workspace, request.IncludeChecksum ? await sidecar.ChecksumAsync(workspace, context.CancellationToken) : null));
        return response;
    }

    public override async Task<ListVersionsResponse> ListVersions(ListVersionsRequest request, ServerCallContext context)
    {
        var versions = await sidecar.VersionsAsync(request.Workspace, context.CancellationToken);
        var response = new ListVersionsResponse { CurrentVersion = sidecar.Workspace(request.Workspace).Version };
        response.Versions.Add(versions.Select(Wire.ToWire));
        return response;
    }

    public override async Task<WorkspaceInfo> Rollback(RollbackRequest request, ServerCallContext context) =>
        Wire.ToWire(await sidecar.RollbackAsync(request.Workspace, request.Version, context.CancellationToken));

    public override async Task<WorkspaceInfo> ResetToSource(ResetToSourceRequest request, ServerCallContext context) =>
        Wire.ToWire(await sidecar.ResetAsync(request.Workspace, context.CancellationToken));

    public override async Task<SaveCheckpointResponse> SaveCheckpoint(SaveCheckpointRequest request, ServerCallContext context)
    {
        var (path, version) = await sidecar.SaveAsync(request.Workspace, request.Path, context.CancellationToken);
        return new SaveCheckpointResponse { Path = path, ModelVersion = version };
    }

    public override async Task<SaveCheckpointResponse> ExportCheckpoint(ExportCheckpointRequest request, ServerCallContext context)
    {
        var (path, version) = await sidecar.ExportAsync(request.Workspace, request.Path, request.Name, context.CancellationToken);
        return new SaveCheckpointResponse { Path = path, ModelVersion = version };
    }
}
