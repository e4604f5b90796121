using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Oaims.Service;

/// <summary>
/// What grpc.health.v1 answers (evaluated at every Check call): NOT_SERVING while the sidecar loads its models and
/// workspaces, and when a workspace's worker has stopped; SERVING otherwise. A change is logged once.
/// </summary>
public sealed class SidecarHealthCheck(Sidecar sidecar, Serilog.ILogger logger) : IHealthCheck
{
    string? _reported; // the reason last logged; loading is not logged (start-up logs itself)

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        string? reason = sidecar.NotServingReason;
        if (sidecar.IsLoaded && Interlocked.Exchange(ref _reported, reason) != reason)
        {
            if (reason is null) logger.Information("Health: SERVING again");
            else logger.Error("Health: NOT_SERVING, {Reason}", reason);
        }
        return Task.FromResult(reason is null
            ? HealthCheckResult.Healthy($"{sidecar.Workspaces.Count} workspace(s)")
            : HealthCheckResult.Unhealthy(reason));
    }
}
