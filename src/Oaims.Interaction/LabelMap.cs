namespace Oaims.Interaction;

/// <summary>A 2D label map (ground truth or prediction): one class index per pixel, row-major, index = x + Width * y.</summary>
public sealed class LabelMap
{
    public int Width { get; }
    public int Height { get; }

    /// <summary>The labels themselves, shared rather than copied so callers can fill them in place.</summary>
    public int[] Labels { get; }

    public LabelMap(int width, int height) : this(width, height, new int[checked(Math.Max(0, width) * Math.Max(0, height))]) { }

    public LabelMap(int width, int height, int[] labels)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"A label map needs a positive size, got {width}x{height}.");
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Length != width * height)
            throw new ArgumentException($"A {width}x{height} label map needs {width * height} labels, got {labels.Length}.", nameof(labels));
        Width = width;
        Height = height;
        Labels = labels;
    }

    /// <summary>A label map copied from byte labels (the form masks travel in).</summary>
    public static LabelMap FromBytes(int width, int height, ReadOnlySpan<byte> labels)
    {
        var map = new LabelMap(width, height);
        if (labels.Length != map.Labels.Length)
            throw new ArgumentException($"A {width}x{height} label map needs {map.Labels.Length} labels, got {labels.Length}.", nameof(labels));
        for (int i = 0; i < labels.Length; i++) map.Labels[i] = labels[i];
        return map;
    }

    /// <summary>Builds a small map from rows of text, one digit per pixel; meant for tests and examples.</summary>
    public static LabelMap Parse(params string[] rows)
    {
        if (rows.Length == 0) throw new ArgumentException("At least one row is needed.", nameof(rows));
        int width = rows[0].Length;
        var map = new LabelMap(width, rows.Length);
        for (int y = 0; y < rows.Length; y++)
        {
            if (rows[y].Length != width) throw new ArgumentException($"Row {y} has {rows[y].Length} pixels, expected {width}.", nameof(rows));
            for (int x = 0; x < width; x++)
            {
                char c = rows[y][x];
                map.Labels[x + width * y] = c == '.' ? 0 : c - '0';
            }
        }
        return map;
    }

    public int this[int x, int y]
    {
        get => Labels[x + Width * y];
        set => Labels[x + Width * y] = value;
    }

    public int Count => Labels.Length;

    public LabelMap Clone() => new(Width, Height, (int[])Labels.Clone());

    /// <summary>Pixels equal to the given class, as a mask.</summary>
    public bool[] MaskOf(int classIndex)
    {
        var mask = new bool[Labels.Length];
        for (int i = 0; i < mask.Length; i++) mask[i] = Labels[i] == classIndex;
        return mask;
    }

    internal void EnsureSameSize(LabelMap other, string name)
    {
        if (other.Width != Width || other.Height != Height)
            throw new ArgumentException($"Label maps differ in size: {Width}x{Height} vs {other.Width}x{other.Height}.", name);
    }
}
