using Oaims.Learning.Training;

namespace Oaims.Cli;

/// <summary>Renders training progress on stderr: a line every few steps and at every validation.</summary>
public sealed class TrainingProgressPrinter
{
    double _lossSum;
    int _lossCount;

    public void Print(TrainingProgress p)
    {
        if (p.Message is not null) { Console.Error.WriteLine(p.Message); return; }
        if (!double.IsNaN(p.Loss)) { _lossSum += p.Loss; _lossCount++; }
        if (p.Step % 10 != 0 && p.ValidationScore is null) return;
        double perStep = p.Seconds / Math.Max(1, p.Step);
        var eta = TimeSpan.FromSeconds(perStep * (p.Steps - p.Step));
        string validation = p.ValidationScore is { } v ? $" | validation {v:F4} (best {p.BestScore:F4} at {p.BestStep})" : "";
        Console.Error.WriteLine($"step {p.Step}/{p.Steps} loss {_lossSum / Math.Max(1, _lossCount):F4} {perStep:F2} s/step eta {eta:hh\\:mm\\:ss}{validation}");
        _lossSum = 0; _lossCount = 0;
    }
}
