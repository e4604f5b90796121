namespace Oaims.Interaction;

/// <summary>A structure scored by Dice: a name and the classes that together make it up (the fundus disc is rim + cup).</summary>
public sealed record Structure(string Name, IReadOnlyList<int> Classes)
{
    public bool Contains(int label)
    {
        foreach (int c in Classes)
            if (c == label) return true;
        return false;
    }
}

/// <summary>The structures each dataset of the paper reports.</summary>
public static class Structures
{
    /// <summary>Fundus labels are 0 background, 1 rim (disc minus cup), 2 cup: the disc is {1, 2}, the cup {2}.</summary>
    public static IReadOnlyList<Structure> Fundus { get; } = [new("disc", [1, 2]), new("cup", [2])];

    /// <summary>Brain labels are 0 background, 1 lesion.</summary>
    public static IReadOnlyList<Structure> Brain { get; } = [new("lesion", [1])];
}
