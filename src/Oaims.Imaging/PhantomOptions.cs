namespace Oaims.Imaging;

/// <summary>Size, seed and appearance shifts of a synthetic lesion phantom (see <see cref="Phantom"/> for what each shift does).</summary>
public sealed record PhantomOptions
{
    public int Width { get; init; } = 64;
    public int Height { get; init; } = 64;

    /// <summary>1 for a 2D phantom.</summary>
    public int Depth { get; init; } = 1;

    public int Seed { get; init; }

    /// <summary>Replace every intensity v by 1 - v (bright lesion becomes dark).</summary>
    public bool InvertContrast { get; init; }

    /// <summary>Raise intensities (all in [0, 1] at that point) to this power; 1 leaves them alone.</summary>
    public double Gamma { get; init; } = 1;

    /// <summary>Strength b of a multiplicative field exp(b * g), g smooth in [-1, 1]; 0 for none.</summary>
    public double BiasField { get; init; }

    /// <summary>Gaussian blur sigma in voxels (along every axis longer than 1); 0 for none.</summary>
    public double BlurSigma { get; init; }

    /// <summary>Standard deviation of additive Gaussian noise; 0 for none.</summary>
    public double NoiseStd { get; init; }
}

/// <summary>A phantom image and its 0/1 lesion label, on the same grid.</summary>
public sealed record PhantomCase(Volume Image, Volume Label);
