namespace Oaims.Cli.Prelabel;

/// <summary>
/// Progress of a pre-labelling run on stderr: on a terminal one line redrawn after every batch (files, slices/s, ETA);
/// in a log (redirected) one line per finished file, so a cluster job's log stays readable.
/// </summary>
public sealed class PrelabelProgress(int files, TextWriter output, bool terminal)
{
    readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    int _filesDone, _filesWithSlices;
    long _slices;

    public static PrelabelProgress OnStandardError(int files) => new(files, Console.Error, !Console.IsErrorRedirected);

    public double Seconds => _clock.Elapsed.TotalSeconds;

    /// <summary>The run is over: its time stops here, so work after it (the benchmark's second bare pass) is not counted as the run's.</summary>
    public void Finish() => _clock.Stop();
    public long Slices => _slices;
    public double SlicesPerSecond => _slices / Math.Max(Seconds, 1e-9);

    public void SlicesDone(int count)
    {
        _slices += count;
        if (terminal) output.Write($"\r{Line()}   ");
    }

    /// <summary>A file is finished (written, skipped or failed); <paramref name="proposed"/> when its slices went through the model.</summary>
    public void FileDone(string name, string outcome, bool proposed)
    {
        _filesDone++;
        if (proposed) _filesWithSlices++;
        if (terminal) output.Write($"\r{Line()}   ");
        else output.WriteLine($"{Line()}: {name} {outcome}");
        if (terminal && _filesDone == files) output.WriteLine();
    }

    public void Report(string message)
    {
        if (terminal) output.WriteLine();
        output.WriteLine(message);
    }

    string Line() => $"[{_filesDone}/{files} files] {_slices} slices, {SlicesPerSecond:F1} slices/s, ETA {Eta()}";

    // Remaining files at the mean slices per file seen so far, at the rate so far.
    string Eta()
    {
        if (_filesWithSlices == 0 || _slices == 0) return "--";
        double seconds = (files - _filesDone) * ((double)_slices / _filesWithSlices) / SlicesPerSecond;
        var span = TimeSpan.FromSeconds(Math.Round(seconds));
        return span.TotalHours >= 1 ? $"{(int)span.TotalHours}h{span.Minutes:D2}m" : span.TotalMinutes >= 1 ? $"{span.Minutes}m{span.Seconds:D2}s" : $"{span.Seconds}s";
    }
}
