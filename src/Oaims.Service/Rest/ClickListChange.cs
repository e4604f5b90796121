namespace Oaims.Service.Rest;

/// <summary>A click as MONAI Label sends it: voxel (i, j, k) and whether it is foreground.</summary>
public readonly record struct ListedClick(int I, int J, int K, bool Foreground);

/// <summary>
/// MONAI Label's /infer is stateless: each request repeats every click of the slice, foreground and background in two
/// lists. OAIMS learns per click, so it needs to know which click is new. A request whose lists are the previous
/// request's lists (same image, same slice) with one click appended to one of them is that click, the next step of the
/// same interaction; anything else (a first request, a removed or moved click, two new clicks) starts a new interaction.
/// </summary>
public static class ClickListChange
{
    /// <summary>The one new click when the lists extend the previous ones by exactly one; null otherwise.</summary>
    public static ListedClick? NewClick(IReadOnlyList<ListedClick> previous, IReadOnlyList<ListedClick> current)
    {
        if (current.Count != previous.Count + 1) return null;
        var before = (Fg: previous.Where(c => c.Foreground).ToList(), Bg: previous.Where(c => !c.Foreground).ToList());
        var now = (Fg: current.Where(c => c.Foreground).ToList(), Bg: current.Where(c => !c.Foreground).ToList());
        if (now.Fg.Count == before.Fg.Count + 1 && now.Bg.SequenceEqual(before.Bg) && now.Fg.Take(before.Fg.Count).SequenceEqual(before.Fg)) return now.Fg[^1];
        if (now.Bg.Count == before.Bg.Count + 1 && now.Fg.SequenceEqual(before.Fg) && now.Bg.Take(before.Bg.Count).SequenceEqual(before.Bg)) return now.Bg[^1];
        return null;
    }
}
