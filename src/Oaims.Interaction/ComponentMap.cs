namespace Oaims.Interaction;

/// <summary>The connected components of a 2D mask: a component id per pixel (0 = in none) and the list of components.</summary>
public sealed class ComponentMap
{
    public int Width { get; }
    public int Height { get; }

    /// <summary>Row-major component ids: 0 outside every component, otherwise 1..Count.</summary>
    public int[] Ids { get; }

    /// <summary>The components, numbered in the row-major order of their first pixel: Components[id - 1].</summary>
    public IReadOnlyList<Component> Components { get; }

    public int Count => Components.Count;

    internal ComponentMap(int width, int height, int[] ids, IReadOnlyList<Component> components)
    {
        Width = width;
        Height = height;
        Ids = ids;
        Components = components;
    }

    public Component this[int id] => Components[id - 1];

    /// <summary>The largest component (ties go to the one whose first pixel comes first), or null when there is none.</summary>
    public Component? Largest() => Count == 0 ? null : BySize()[0];

    /// <summary>The components from largest to smallest; equal sizes keep row-major order of their first pixel, so the order is deterministic.</summary>
    public IReadOnlyList<Component> BySize() =>
        Components.OrderByDescending(c => c.Size).ThenBy(c => c.Id).ToArray();

    /// <summary>The component cut out to its bounding box, as a mask of BoxWidth x BoxHeight, row-major.</summary>
    public bool[] MaskInBox(Component component)
    {
        var mask = new bool[component.BoxWidth * component.BoxHeight];
        for (int y = component.MinY; y <= component.MaxY; y++)
            for (int x = component.MinX; x <= component.MaxX; x++)
                mask[(x - component.MinX) + component.BoxWidth * (y - component.MinY)] = Ids[x + Width * y] == component.Id;
        return mask;
    }
}
