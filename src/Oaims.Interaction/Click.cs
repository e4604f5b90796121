namespace Oaims.Interaction;

/// <summary>One user click: pixel (X = column, Y = row) of a 2D slice, the class it asserts, and which slice of a volume it was made on.</summary>
/// <remarks>
/// Class 0 is background, so in the binary case a class-0 click is a negative click.
/// Axis and Slice locate the 2D slice inside a 3D volume; a 2D image has one slice (0, 0).
/// Algorithms in this layer work on one slice and ignore Axis/Slice: callers pass the clicks of that slice
/// and stamp the slice on returned clicks with <c>click with { Axis = a, Slice = s }</c>.
/// </remarks>
public readonly record struct Click(int X, int Y, int Class, int Axis = 0, int Slice = 0)
{
    /// <summary>Whether the click asserts foreground (any class other than background).</summary>
    public bool IsPositive => Class != 0;

    /// <summary>Row-major index of the click in a slice of the given width.</summary>
    public int IndexIn(int width) => X + width * Y;

    internal void EnsureInside(int width, int height)
    {
        if ((uint)X >= (uint)width || (uint)Y >= (uint)height)
            throw new ArgumentOutOfRangeException(nameof(Click), $"Click ({X}, {Y}) lies outside the {width}x{height} slice.");
    }
}
