using Oaims.Imaging;
using Oaims.Interaction;
using Oaims.Learning.Checkpoints;
using Oaims.Learning.Data;
using Oaims.Learning.Inference;
using Oaims.Learning.Losses;
using Oaims.Learning.Network;
using static TorchSharp.torch;

namespace Oaims.Learning.Adaptation;

/// <summary>
/// How much each source weight matters on the source domain, for elastic weight consolidation (EWC, Kirkpatrick et al.,
/// 2017): the diagonal of the empirical Fisher information, the mean squared gradient of the adaptation loss (one click,
/// DiceFocal + CCG against the truth) over source training slices. Scaled to mean 1, so that a consolidation weight reads
/// like an L2-SP weight that spends its pull where the source domain needs the weights. Kept beside a checkpoint's
/// weights as importance.safetensors (the same names and shapes as the weights).
/// </summary>
public static class SourceImportance
{
    public const string FileName = "importance.safetensors";

    /// <summary>The importance of every parameter (in the network's parameter order) from labelled source slices.</summary>
    public static List<Tensor> Compute(InteractiveUNet network, SegmentationTask task, IReadOnlyList<SliceSample> samples)
    {
        var parameters = network.parameters().ToList();
        var sums = parameters.Select(p => zeros_like(p)).ToList();
        int used = 0;
        foreach (var sample in samples)
        {
            if (sample.Truth is not { } truth || SimulatedUser.FirstClick(truth) is not { } click) continue;
            using var scope = NewDisposeScope();
            using var predictor = new Predictor(network, task, sample);
            using var grad = enable_grad();
            foreach (var p in parameters) p.grad?.zero_();
            var logits = predictor.Logits([click], withGradient: true);
            var target = predictor.Fitting.Labels(truth, predictor.Device).unsqueeze(0);
            var loss = DiceFocalLoss.Compute(logits, target)
                       + ClickCentredGaussianLoss.Weighted(logits, target, [predictor.Fitting.Clicks([click])]);
            loss.backward();
            using (no_grad())
                for (int i = 0; i < parameters.Count; i++)
                    if (parameters[i].grad is { } g) sums[i].add_(g.square());
            used++;
        }
        foreach (var p in parameters) p.grad?.zero_();
        if (used == 0) throw new ArgumentException("No labelled slice to measure the source weights' importance on.");
        using var noGrad = no_grad();
        double mean = sums.Sum(s => s.sum().item<float>()) / sums.Sum(s => s.numel());
        using TorchSharp.Scalar divisor = mean > 0 ? mean : 1;
        return sums.Select(s => s.div_(divisor)).ToList();
    }

    public static void Save(string folder, InteractiveUNet network, IReadOnlyList<Tensor> importance)
    {
        var entries = network.named_parameters().Select(p => p.name).Zip(importance, Checkpoint.Entry).ToList();
        AtomicFile.WriteAllBytes(Path.Combine(folder, FileName), Safetensors.Serialize(entries));
    }

    /// <summary>The importance stored with a checkpoint, in the network's parameter order, on its device; null when there is none.</summary>
    public static List<Tensor>? Load(string checkpointFolder, InteractiveUNet network)
    {
        string path = Path.Combine(Checkpoint.Locate(checkpointFolder), FileName);
        if (!File.Exists(path)) return null;
        var byName = Safetensors.Deserialize(File.ReadAllBytes(path), path).Entries.ToDictionary(e => e.Name);
        return network.named_parameters().Select(p =>
        {
            if (!byName.TryGetValue(p.name, out var entry) || !entry.Shape.SequenceEqual(p.parameter.shape))
                throw new InvalidDataException($"{path} does not match this model's weights ('{p.name}').");
            return tensor(entry.Data, entry.Shape, device: p.parameter.device);
        }).ToList();
    }
}
