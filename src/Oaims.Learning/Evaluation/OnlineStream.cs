using Oaims.Learning.Adaptation;
using Oaims.Learning.Data;

namespace Oaims.Learning.Evaluation;

/// <summary>What an online stream produced: per-image curves and every adaptation step with its timing.</summary>
public sealed record StreamResult(IReadOnlyList<ImageResult> Images, IReadOnlyList<AdaptationStep> ClickSteps, IReadOnlyList<AdaptationStep> ImageSteps);

/// <summary>
/// The online protocol: images arrive one at a time in the given order, each is seen once, the simulated
/// user clicks, accepts the final mask, and the adapted model carries over to the next image. Each click is scored on
/// the mask it leaves (the refined mask when its adaptation changed the weights, as a user who waits for it sees; the
/// next click is placed on it); the first mask, shown before the adaptation, is scored too (ImageResult.FirstMaskDicePerClick).
/// </summary>
public static class OnlineStream
{
    /// <param name="scored">What the user corrects and what is scored (default: every structure of the task).</param>
    /// <param name="fieldOfView">Side of the window the first click centres the model on (0: the whole image; SliceInteraction).</param>
    public static StreamResult Run(OnlineLearner learner, IReadOnlyList<SliceSample> samples, int clicks, Action<int, ImageResult>? progress = null,
                                   ScoredStructures? scored = null, int fieldOfView = 0)
    {
        scored ??= ScoredStructures.All(learner.Task);
        var images = new List<ImageResult>();
        var clickSteps = new List<AdaptationStep>();
        var imageSteps = new List<AdaptationStep>();
        foreach (var sample in samples)
        {
            using var interaction = new SliceInteraction(learner, sample, fieldOfView: fieldOfView);
            var result = InteractiveEvaluator.Play(sample, scored.Structures, clicks, click =>
            {
                // An error the user would click outside the field of view: the click is spent and the mask stays.
                if (!interaction.CanTake(click)) return new ClickMasks(scored.SeenByUser(interaction.Mask!), null);
                var outcome = interaction.AddClick(click, clickSteps.Add);
                return new ClickMasks(scored.SeenByUser(outcome.Mask), outcome.FirstMask is { } first ? scored.SeenByUser(first) : null);
            });
            interaction.Commit(report: imageSteps.Add);
            images.Add(result);
            progress?.Invoke(images.Count, result);
        }
        return new StreamResult(images, clickSteps, imageSteps);
    }
}

/// <summary>Orders of the image stream: as listed, shuffled with a seed, or hardest first for the frozen model.</summary>
public static class StreamOrder
{
    public static IReadOnlyList<string> Names { get; } = ["file", "random", "worst-first"];

    /// <summary>Every n-th image, from the first: a thinner stream with the same spread over cases.</summary>
    public static List<SliceSample> EveryNth(IReadOnlyList<SliceSample> samples, int n) =>
        n >= 1 ? samples.Where((_, i) => i % n == 0).ToList() : throw new ArgumentException($"Keep every n-th image needs n >= 1, got {n}.");

    public static List<SliceSample> Apply(string order, IReadOnlyList<SliceSample> samples, int seed, Func<IReadOnlyList<SliceSample>, IReadOnlyList<double>>? frozenDiceAtOne = null)
    {
        switch (order)
        {
            case "file": return samples.ToList();
            case "random":
                var shuffled = samples.ToList();
                new Random(seed).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(shuffled));
                return shuffled;
            case "worst-first":
                if (frozenDiceAtOne is null) throw new ArgumentException("worst-first needs the frozen model's Dice at one click.");
                var dice = frozenDiceAtOne(samples);
                return samples.Select((s, i) => (s, d: dice[i])).OrderBy(p => p.d).ThenBy(p => p.s.Id, StringComparer.Ordinal).Select(p => p.s).ToList();
            default: throw new ArgumentException($"Unknown order '{order}': use {string.Join(", ", Names)}.");
        }
    }
}
