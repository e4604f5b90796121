namespace Oaims.Learning.Evaluation;

/// <summary>The PNG plots of reports: Dice against clicks, Dice against image index.</summary>
public static class Charts
{
    public static void DiceAgainstClicks(string path, string title, IReadOnlyList<(string Name, double[] MeanDice)> series) =>
        Lines(path, title, "clicks", "mean Dice", series.Select(s => (s.Name, Enumerable.Range(1, s.MeanDice.Length).Select(t => (double)t).ToArray(), s.MeanDice)).ToList());

    /// <summary>Dice at the first and last click against the image's position in the stream (does the model learn?).</summary>
    public static void DiceAgainstImages(string path, string title, IReadOnlyList<ImageResult> images, IReadOnlyList<Oaims.Interaction.Structure> structures)
    {
        var index = Enumerable.Range(1, images.Count).Select(i => (double)i).ToArray();
        var series = new List<(string, double[], double[])>();
        for (int s = 0; s < structures.Count; s++)
        {
            int structure = s;
            series.Add(($"{structures[s].Name} Dice@1", index, images.Select(r => r.DicePerClick[0][structure]).ToArray()));
            series.Add(($"{structures[s].Name} Dice@last", index, images.Select(r => r.DicePerClick[^1][structure]).ToArray()));
        }
        Lines(path, title, "image index in the stream", "Dice", series);
    }

    public static void Lines(string path, string title, string xLabel, string yLabel, IReadOnlyList<(string Name, double[] X, double[] Y)> series)
    {
        var plot = new ScottPlot.Plot();
        foreach (var (name, x, y) in series)
        {
            var line = plot.Add.Scatter(x, y);
            line.LegendText = name;
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(ScottPlot.Alignment.LowerRight);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        plot.SavePng(path, 720, 450);
    }
}
