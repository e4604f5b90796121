using Oaims.Learning.Adaptation;
using Oaims.Service.Sessions;
using Oaims.Service.Workspaces;

namespace Oaims.Service;

public sealed partial class Sidecar
{
    /// <summary>
    /// Propagates from a slice of a session (accepting it first when asked); a model changed by the acceptance is saved
    /// before the call answers, as a commit's is.
    /// </summary>
    public Task<WorkResult<PropagateResult>> PropagateAsync(string id, int axis, int slice, bool acceptFirst, int maxSlices,
        Action<AdaptationStep> step, Action<PropagatedDelta> changed, CancellationToken cancellation)
    {
        Session(id).ValidatePropagation(axis, slice, maxSlices);
        return OnSessionAsync(id, session =>
        {
            var result = session.Propagate(axis, slice, acceptFirst, maxSlices, step, changed);
            if (acceptFirst) Persist(session.Workspace);
            return result;
        }, cancellation);
    }
}
