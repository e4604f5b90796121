using System.Globalization;

namespace Oaims.Imaging;

/// <summary>Which NRRD axes are spatial, how the rest fold into channels, and the IJK-to-RAS matrix.</summary>
internal sealed record NrrdGeometry(int[] Dims, int Channels, long Inner, double[,] IjkToRas)
{
    public static NrrdGeometry From(NrrdHeader header, long[] sizes, string path)
    {
        int dim = sizes.Length;
        double[] flip = SpaceFlip(header, path, out int spaceDim);
        var directions = header.Get("space directions") is { } sd ? NrrdHeader.Vectors(sd, path, "space directions") : null;
        if (directions is not null && directions.Count != dim)
            throw new ImageFormatException(path, $"lists {directions.Count} space directions for {dim} axes");
        string[]? kinds = header.Get("kinds") is { } k ? NrrdHeader.Words(k) : null;
        if (kinds is not null && kinds.Length != dim) kinds = null;
        double[]? spacings = header.Get("spacings") is { } sp ? NrrdHeader.Words(sp).Select(ParseSpacing).ToArray() : null;
        if (spacings is not null && spacings.Length != dim) spacings = null;

        var spatial = new bool[dim];
        for (int a = 0; a < dim; a++)
        {
            if (directions is not null) spatial[a] = directions[a] is not null;
            else if (kinds is not null) spatial[a] = kinds[a].ToLowerInvariant() is "domain" or "space";
            else if (spacings is not null) spatial[a] = !double.IsNaN(spacings[a]);
            else spatial[a] = a < 3;
        }
        var spatialAxes = Enumerable.Range(0, dim).Where(a => spatial[a]).ToArray();
        var channelAxes = Enumerable.Range(0, dim).Where(a => !spatial[a]).ToArray();
        if (spatialAxes.Length > 3)
            throw new ImageFormatException(path, $"has {spatialAxes.Length} spatial axes; OAIMS reads at most 3");
        if (channelAxes.Length > 0 && channelAxes[^1] - channelAxes[0] != channelAxes.Length - 1)
            throw new ImageFormatException(path, "has non-spatial axes that are not adjacent, which OAIMS cannot fold into channels");

        var dims = new int[] { 1, 1, 1 };
        for (int i = 0; i < spatialAxes.Length; i++) dims[i] = (int)sizes[spatialAxes[i]];
        long channels = channelAxes.Aggregate(1L, (p, a) => p * sizes[a]);
        if (channels > 65536)
            throw new ImageFormatException(path, $"declares {channels} channels, more than OAIMS handles");
        long inner = channelAxes.Length == 0 ? 1 : Enumerable.Range(0, channelAxes[0]).Aggregate(1L, (p, a) => p * sizes[a]);
        if (channelAxes.Length == 0) inner = (long)dims[0] * dims[1] * dims[2];

        var m = Volume.Identity4();
        var columns = new List<double[]>();
        foreach (int a in spatialAxes)
        {
            double[] column;
            if (directions is not null)
            {
                var v = directions[a]!;
                if (v.Length != spaceDim)
                    throw new ImageFormatException(path, $"has a space direction with {v.Length} components in a {spaceDim}D space");
                column = new double[3];
                for (int r = 0; r < Math.Min(3, v.Length); r++) column[r] = v[r] * flip[r];
            }
            else
            {
                double s = spacings is not null && double.IsFinite(spacings[a]) ? spacings[a] : 1;
                column = new double[3];
                column[columns.Count] = s;
            }
            columns.Add(column);
        }
        CompleteBasis(columns);
        for (int c = 0; c < 3; c++)
            for (int r = 0; r < 3; r++)
                m[r, c] = columns[c][r];
        if (header.Get("space origin") is { } originText)
        {
            var origin = NrrdHeader.Vectors(originText, path, "space origin");
            if (origin.Count != 1 || origin[0] is null || origin[0]!.Length != spaceDim)
                throw new ImageFormatException(path, $"has a space origin that is not one {spaceDim}-vector");
            for (int r = 0; r < Math.Min(3, spaceDim); r++) m[r, 3] = origin[0]![r] * flip[r];
        }
        return new NrrdGeometry(dims, (int)channels, inner, m);
    }

    /// <summary>Per-axis sign that turns the file's space into RAS.</summary>
    private static double[] SpaceFlip(NrrdHeader header, string path, out int spaceDim)
    {
        string? space = header.Get("space");
        if (space is null)
        {
            string? sd = header.Get("space dimension");
            spaceDim = sd is null ? 3 : int.TryParse(sd, NumberStyles.Integer, CultureInfo.InvariantCulture, out int d) && d is 2 or 3 ? d
                : throw new ImageFormatException(path, $"has a space dimension of '{sd}'; OAIMS reads 2 or 3");
            return new double[] { 1, 1, 1 };
        }
        spaceDim = 3;
        return space.Trim().ToLowerInvariant() switch
        {
            "right-anterior-superior" or "ras" => new double[] { 1, 1, 1 },
            "left-posterior-superior" or "lps" => new double[] { -1, -1, 1 },
            "left-anterior-superior" or "las" => new double[] { -1, 1, 1 },
            _ => throw new ImageFormatException(path, $"uses the space '{space}', which OAIMS cannot map to RAS"),
        };
    }

    /// <summary>Fills missing spatial columns with unit vectors completing a right-handed basis.</summary>
    private static void CompleteBasis(List<double[]> columns)
    {
        while (columns.Count < 3)
        {
            double[] next;
            if (columns.Count == 2)
            {
                var (a, b) = (columns[0], columns[1]);
                next = new[] { a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0] };
            }
            else
            {
                next = new double[3];
                next[columns.Count] = 1;
                if (columns.Count == 1)
                {
                    // The second axis: the coordinate axis least aligned with the first, made orthogonal to it.
                    var a = columns[0];
                    int least = Enumerable.Range(0, 3).OrderBy(i => Math.Abs(a[i])).First();
                    next = new double[3];
                    next[least] = 1;
                    double aa = Dot(a, a);
                    double dot = aa > 0 ? a[least] / aa : 0;
                    for (int i = 0; i < 3; i++) next[i] -= dot * a[i];
                }
            }
            double norm = Math.Sqrt(Dot(next, next));
            if (norm < 1e-12) { next = new double[3]; next[columns.Count] = 1; norm = 1; }
            columns.Add(next.Select(v => v / norm).ToArray());
        }
    }

    private static double Dot(double[] a, double[] b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

    private static double ParseSpacing(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : double.NaN;
}
