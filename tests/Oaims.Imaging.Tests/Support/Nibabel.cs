using System.Diagnostics;
using System.Text.Json;

namespace Oaims.Imaging.Tests.Support;

/// <summary>Runs Python scripts with Debian's nibabel (/usr/bin/python3, not whatever python3 is first on PATH).</summary>
public static class Nibabel
{
    public const string Python = "/usr/bin/python3";

    /// <summary>Common helpers every script gets: dump(path_raw, array) writes float32 voxels in NIfTI order.</summary>
    private const string Prelude = """
        import sys, json, hashlib
        import numpy as np
        import nibabel as nib
        def f32(img):
            return np.asarray(img.dataobj).astype('<f4')
        def dump(path, arr):
            np.asarray(arr, dtype='<f4').ravel(order='F').tofile(path)
        def sha(arr):
            return hashlib.sha256(np.asarray(arr, dtype='<f4').ravel(order='F').tobytes()).hexdigest()

        """;

    /// <summary>Runs the script (with the prelude) and returns its stdout; a failing script fails the test with its stderr.</summary>
    public static string Run(string script, params string[] args)
    {
        if (!File.Exists(Python))
            throw new InvalidOperationException($"{Python} is missing; the nibabel interop tests need Debian's python3 with python3-nibabel and python3-numpy.");
        var info = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-");
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        process.StandardInput.Write(Prelude + script);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("The nibabel script ran for more than 120 s.");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"The nibabel script failed (exit {process.ExitCode}):\n{stderr.Result}");
        return stdout.Result;
    }

    public static JsonElement RunJson(string script, params string[] args) =>
        JsonDocument.Parse(Run(script, args)).RootElement.Clone();

    public static double[,] Matrix(JsonElement rows)
    {
        var m = new double[4, 4];
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 4; c++)
                m[r, c] = rows[r][c].GetDouble();
        return m;
    }

    public static float[] ReadRaw(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }
}
