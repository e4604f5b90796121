namespace Oaims.Interaction;

/// <summary>The size of a label volume stored x fastest, then y, then z: index = x + Width * (y + Height * z). A 2D map has Depth 1.</summary>
public readonly record struct VolumeShape(int Width, int Height, int Depth = 1)
{
    public long VoxelCount => (long)Width * Height * Depth;

    public int IndexOf(int x, int y, int z) => x + Width * (y + Height * z);

    /// <summary>The box covering the whole volume.</summary>
    public VoxelBox All => new(0, 0, 0, Width - 1, Height - 1, Depth - 1);

    public bool Contains(VoxelBox box) =>
        box.MinX >= 0 && box.MinY >= 0 && box.MinZ >= 0 &&
        box.MaxX < Width && box.MaxY < Height && box.MaxZ < Depth &&
        box.MinX <= box.MaxX && box.MinY <= box.MaxY && box.MinZ <= box.MaxZ;

    internal void EnsureValid()
    {
        if (Width <= 0 || Height <= 0 || Depth <= 0)
            throw new ArgumentOutOfRangeException(nameof(VolumeShape), $"A volume needs a positive size, got {Width}x{Height}x{Depth}.");
    }

    internal void EnsureHolds(int length, string name)
    {
        EnsureValid();
        if (length != VoxelCount)
            throw new ArgumentException($"A {Width}x{Height}x{Depth} volume needs {VoxelCount} labels, got {length}.", name);
    }

    internal void EnsureContains(VoxelBox box, string name)
    {
        if (!Contains(box))
            throw new ArgumentOutOfRangeException(name, $"Box {box} does not lie inside a {Width}x{Height}x{Depth} volume.");
    }
}
