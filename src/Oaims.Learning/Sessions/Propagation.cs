using Oaims.Interaction;

namespace Oaims.Learning.Sessions;

/// <summary>One slice a propagation changed: its new mask (a proposal, or background where a stale proposal was cleared), the seeds it came from, and how many slices are done.</summary>
public sealed record PropagatedSlice(int Axis, int Slice, LabelMap Mask, IReadOnlyList<Click> Seeds, int Done);

/// <summary>What a propagation did: the slices it proposed, those whose stale proposals it cleared, and why it stopped each way.</summary>
public sealed record PropagationOutcome(int Axis, int FromSlice, IReadOnlyList<int> Proposed, IReadOnlyList<int> Cleared, string StopBelow, string StopAbove);

/// <summary>
/// How propagation seeds the next slice from the previous slice's mask (chosen by name; measured in docs/volume.md):
/// <c>centres</c>, one click at the interior centre of each component; <c>centres-kept</c> (the default), the same, and
/// only the predicted components holding a seed are kept; <c>largest-kept</c>, the largest component's centre only, kept alike.
/// </summary>
public sealed record PropagationSeeding(string Name, bool LargestOnly, bool KeepSeededOnly)
{
    public static readonly PropagationSeeding Centres = new("centres", false, false);
    public static readonly PropagationSeeding CentresKept = new("centres-kept", false, true);
    public static readonly PropagationSeeding LargestKept = new("largest-kept", true, true);
    public static readonly PropagationSeeding Default = CentresKept;

    public static IReadOnlyList<PropagationSeeding> All { get; } = [Centres, CentresKept, LargestKept];

    public static PropagationSeeding ByName(string name) =>
        All.FirstOrDefault(s => s.Name == name) ?? throw new ArgumentException($"Unknown seeding '{name}': use {string.Join(", ", All.Select(s => s.Name))}.");

    /// <summary>The clicks for the next slice.</summary>
    public IReadOnlyList<Click> Seeds(LabelMap previous)
    {
        var seeds = PropagationSeeds.Of(previous);
        return LargestOnly ? seeds.Take(1).ToArray() : seeds;
    }

    /// <summary>The proposal from the model's prediction with the seeds.</summary>
    public LabelMap Proposal(LabelMap prediction, IReadOnlyList<Click> seeds) =>
        KeepSeededOnly ? PropagationSeeds.KeepSeededComponents(prediction, seeds) : prediction;
}
