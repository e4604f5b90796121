namespace Oaims.Interaction;

/// <summary>One connected component: its id (1-based), the region key its pixels share, its size, its first pixel in row-major order and its inclusive bounding box.</summary>
public readonly record struct Component(int Id, int Key, int Size, int FirstIndex, int MinX, int MinY, int MaxX, int MaxY)
{
    public int BoxWidth => MaxX - MinX + 1;
    public int BoxHeight => MaxY - MinY + 1;
}
