using System.Diagnostics;
using global::Grpc.Core;
using Microsoft.Extensions.Logging;
using Oaims.Service.V1;

namespace Oaims.Service.Grpc;

/// <summary>The Propagation service: wire messages in, one call on the <see cref="Sidecar"/>, each propagated slice out as it is made.</summary>
public sealed class PropagationService(Sidecar sidecar, ILogger<PropagationService> log) : Propagation.PropagationBase
{
    public override async Task Propagate(PropagateRequest request, IServerStreamWriter<PropagateEvent> responseStream, ServerCallContext context)
    {
        long started = Stopwatch.GetTimestamp();
        var work = await StepRelay.RelayAsync<Workspaces.WorkResult<Sessions.PropagateResult>, PropagateEvent>(
            report => sidecar.PropagateAsync(request.SessionId, request.Axis, request.Slice, request.AcceptFirst, request.MaxSlices,
                step => report(new PropagateEvent { Step = Wire.ToWire(step) }),
                slice => report(new PropagateEvent
                {
                    Slice = new PropagatedSlice { Delta = Wire.ToWire(slice.Delta), Axis = slice.Axis, Slice = slice.Slice, Proposal = slice.Proposal, Done = slice.Done },
                }),
                context.CancellationToken),
            responseStream);
        var result = work.Value;
        double total = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var summary = new PropagateSummary
        {
            StopBelow = result.Outcome.StopBelow, StopAbove = result.Outcome.StopAbove, ModelVersion = result.ModelVersion,
            Latency = Wire.Latency(work.QueueMilliseconds, result.Milliseconds, result.Steps.Sum(s => s.Milliseconds), 0, total),
        };
        summary.Proposed.Add(result.Outcome.Proposed);
        summary.Cleared.Add(result.Outcome.Cleared);
        await responseStream.WriteAsync(new PropagateEvent { Done = summary });
        log.LogInformation("Propagation in session {SessionId} from axis {Axis} slice {Slice} (accept first: {AcceptFirst}): {Proposed} slice(s) proposed, " +
                           "{Cleared} cleared; below: {StopBelow}; above: {StopAbove}; version {ModelVersion}; total {TotalMs:F1} ms",
            request.SessionId, request.Axis, request.Slice, request.AcceptFirst, result.Outcome.Proposed.Count, result.Outcome.Cleared.Count,
            result.Outcome.StopBelow, result.Outcome.StopAbove, result.ModelVersion, total);
    }
}
