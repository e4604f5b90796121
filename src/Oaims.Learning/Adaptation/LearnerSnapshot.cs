using TorchSharp;
using static TorchSharp.torch;

namespace Oaims.Learning.Adaptation;

/// <summary>A copy of a learner's weights and optimizer state at one version, kept in managed memory.</summary>
public sealed class LearnerSnapshot
{
    readonly float[][] _weights;
    readonly byte[] _optimizerState;

    LearnerSnapshot(float[][] weights, byte[] optimizerState) { _weights = weights; _optimizerState = optimizerState; }

    public long Bytes => _weights.Sum(w => (long)w.Length * 4) + _optimizerState.Length;

    public static LearnerSnapshot Capture(IReadOnlyList<Tensor> parameters, TorchSharp.Modules.Adam optimizer)
    {
        var weights = new float[parameters.Count][];
        for (int i = 0; i < parameters.Count; i++)
        {
            using var cpu = parameters[i].detach().cpu().contiguous();
            weights[i] = cpu.data<float>().ToArray();
        }
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true)) optimizer.save_state_dict(writer);
        return new LearnerSnapshot(weights, buffer.ToArray());
    }

    public void Restore(IReadOnlyList<Tensor> parameters, TorchSharp.Modules.Adam optimizer)
    {
        using (no_grad())
        {
            for (int i = 0; i < parameters.Count; i++)
            {
                using var source = tensor(_weights[i], parameters[i].shape);
                parameters[i].copy_(source);
            }
        }
        using var reader = new BinaryReader(new MemoryStream(_optimizerState));
        optimizer.load_state_dict(reader);
    }

    public byte[] OptimizerState => _optimizerState;
}
