using Oaims.Learning.Network;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Oaims.Learning.Adaptation.Strategies;

/// <summary>
/// TSCA baseline (Atanyan et al., WACV 2024): a student adapted from the clicks and a slowly moving
/// teacher (exponential moving average of the student) whose confident predictions regularise the
/// student, limiting forgetting. Per click: sparse cross-entropy at the clicks + cross-entropy towards the
/// teacher's labels where the teacher is confident; then the teacher moves towards the student.
/// </summary>
public sealed class TeacherStudentAdaptation : IAdaptationStrategy
{
    public const double TeacherMomentum = 0.99;
    public const double ConfidenceThreshold = 0.9;
    public const double ConsistencyWeight = 1.0;
    // Held for the process's life (Oaims.Analyzers' OAIMS001: a Scalar made for one call may be freed while LibTorch reads it).
    static readonly TorchSharp.Scalar HeldThreshold = ConfidenceThreshold, HeldConsistencyWeight = ConsistencyWeight, One = 1;
    InteractiveUNet? _teacher;

    public string Name => "tsca";

    public void AfterClick(ClickContext context)
    {
        var predictor = context.Predictor;
        var student = context.Learner.Network;
        var modelClicks = predictor.Fitting.Clicks(context.Clicks);
        if (modelClicks.Count == 0) return;
        var teacher = _teacher ??= Copy(student);

        using var scope = NewDisposeScope();
        Tensor teacherLabels, confident;
        using (no_grad())
        {
            var probabilities = F.softmax(teacher.forward(predictor.Input(context.Clicks)), 1);
            var (best, labels) = probabilities.max(1);
            teacherLabels = labels;
            confident = best.gt(HeldThreshold).to_type(ScalarType.Float32);
        }
        var step = context.Learner.Step(Name, 0, () =>
        {
            var logits = predictor.Logits(context.Clicks, withGradient: true);
            var sparse = SparseClickAdaptation.SparseCrossEntropy(logits, modelClicks);
            var perPixel = F.cross_entropy(logits, teacherLabels, reduction: nn.Reduction.None);
            var consistency = (perPixel * confident).sum() / confident.sum().clamp_min(One);
            return sparse + consistency.mul(HeldConsistencyWeight);
        }, context.Report);
        if (step.Applied) MoveTeacherTowards(teacher, student);
    }

    public void AfterImage(ImageContext context) { }

    static InteractiveUNet Copy(InteractiveUNet network)
    {
        var copy = new InteractiveUNet(network.Config, network.Device); // the teacher lives where the student does
        using (no_grad())
            foreach (var (target, source) in copy.parameters().Zip(network.parameters())) target.copy_(source);
        copy.eval();
        return copy;
    }

    static void MoveTeacherTowards(InteractiveUNet teacher, InteractiveUNet student)
    {
        // The two factors are held as Scalars for the whole loop: with temporaries converted from double at each call, a
        // long tuning run (the experiments' tsca ladder, 2026-11-30) died in this loop with LibTorch's "Unknown scalar
        // type", the sign of a Scalar handle freed before the native call read it.
        using var noGrad = no_grad();
        using TorchSharp.Scalar keep = TeacherMomentum, take = 1 - TeacherMomentum;
        foreach (var (t, s) in teacher.parameters().Zip(student.parameters()))
            t.mul_(keep).add_(s, alpha: take);
    }
}
