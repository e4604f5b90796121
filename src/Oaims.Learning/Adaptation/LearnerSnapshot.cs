using TorchSharp;
using static TorchSharp.torch;

namespace Oaims.Learning.Adaptation;

/// <summary>
/// A copy of a learner's weights and Adam state (both moments and the step count of every parameter) at one
/// version, held as tensors on the model's device. Cloning in LibTorch costs a few milliseconds; serialising
/// the optimizer and copying into managed arrays, as this class first did, cost ~200 ms per click.
/// </summary>
public sealed class LearnerSnapshot : IDisposable
{
    readonly Tensor[] _weights;
    readonly (long Step, Tensor Mean, Tensor Square)[] _moments;

    LearnerSnapshot(Tensor[] weights, (long, Tensor, Tensor)[] moments)
    {
        _weights = weights;
        _moments = moments;
        Bytes = weights.Concat(moments.SelectMany(m => new[] { m.Item2, m.Item3 })).Sum(t => t.NumberOfElements * t.ElementSize);
    }

    /// <summary>The weights as captured, in parameter order (read-only: the snapshot owns them).</summary>
    public IReadOnlyList<Tensor> Weights => _weights;

    /// <summary>The memory the snapshot's tensors hold: weights and both Adam moments, about three times the weights.</summary>
    public long Bytes { get; }

    public static LearnerSnapshot Capture(IReadOnlyList<Tensor> parameters, TorchSharp.Modules.Adam optimizer)
    {
        using var noGrad = no_grad();
        var weights = parameters.Select(p => p.detach().clone().DetachFromDisposeScope()).ToArray();
        var moments = AdamStates(optimizer)
            .Select(s => (s.step, s.exp_avg.clone().DetachFromDisposeScope(), s.exp_avg_sq.clone().DetachFromDisposeScope()))
            .ToArray();
        return new LearnerSnapshot(weights, moments);
    }

    public void Restore(IReadOnlyList<Tensor> parameters, TorchSharp.Modules.Adam optimizer)
    {
        using var noGrad = no_grad();
        for (int i = 0; i < parameters.Count; i++) parameters[i].copy_(_weights[i]);
        var states = AdamStates(optimizer);
        for (int i = 0; i < states.Count; i++)
        {
            states[i].step = _moments[i].Step;
            states[i].exp_avg.copy_(_moments[i].Mean);
            states[i].exp_avg_sq.copy_(_moments[i].Square);
        }
    }

    // TorchSharp's state_dict() hands out the optimizer's live per-parameter states, in parameter order.
    static List<TorchSharp.Modules.Adam.State> AdamStates(TorchSharp.Modules.Adam optimizer) =>
        optimizer.state_dict().State.Cast<TorchSharp.Modules.Adam.State>().ToList();

    public void Dispose()
    {
        foreach (var w in _weights) w.Dispose();
        foreach (var (_, mean, square) in _moments) { mean.Dispose(); square.Dispose(); }
    }
}
