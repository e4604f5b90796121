namespace Oaims.Imaging;

/// <summary>
/// Seeded synthetic lesion phantoms for fast tests and the demo: a smooth-edged, lobed
/// ellipsoid (bright, about 0.75) in a textured background (about 0.3), with optional
/// appearance shifts to imitate scanner and protocol differences.
/// </summary>
/// <remarks>
/// Intensities of the unshifted image lie in [0.15, 0.85]. Shifts apply in this order:
/// contrast inversion (v -> 1 - v), gamma (v -> v^gamma), bias field (v -> v * exp(b * g) with g
/// a smooth field in [-1, 1]), Gaussian blur, additive Gaussian noise. The label is the lesion
/// before any shift (voxels whose smooth edge weight exceeds 0.5), so it is identical for every
/// shift. Geometry, texture, bias field and noise come from separate seeded streams: changing one
/// shift never moves the lesion or changes another shift's pattern. The grid is the identity
/// IJK-to-RAS (1 mm voxels).
/// </remarks>
public static class Phantom
{
    public static PhantomCase Generate(PhantomOptions options)
    {
        int w = options.Width, h = options.Height, d = options.Depth;
        if (w < 8 || h < 8 || d < 1) throw new ArgumentException("A phantom needs at least 8x8 pixels and one slice.", nameof(options));
        if (options.Gamma <= 0) throw new ArgumentException("Gamma must be positive.", nameof(options));
        bool is3D = d > 1;
        var dims = new[] { w, h, d };
        int n = w * h * d;

        var geometryRng = new Random(Mix(options.Seed, 1));
        var lesion = Lesion.Draw(geometryRng, dims);
        var background = Texture.Draw(geometryRng, dims, components: 12);
        var inside = Texture.Draw(geometryRng, dims, components: 6);
        // Fine grain (periods down to ~4 voxels) so blur has texture to remove, as on real scans.
        var grain = Texture.Draw(geometryRng, dims, components: 16, maxFrequency: Math.Min(w, h) / 4.0);

        var image = new double[n];
        var label = new float[n];
        for (int k = 0; k < d; k++)
            for (int j = 0; j < h; j++)
                for (int i = 0; i < w; i++)
                {
                    int idx = i + w * (j + h * k);
                    double sd = lesion.SignedDistance(i, j, k);
                    double m = 1 / (1 + Math.Exp(-sd / 0.8)); // edge about two voxels wide
                    double bg = 0.30 + 0.08 * background.At(i, j, k) + 0.04 * grain.At(i, j, k);
                    double fg = 0.75 + 0.06 * inside.At(i, j, k);
                    image[idx] = bg * (1 - m) + fg * m;
                    label[idx] = sd > 0 ? 1 : 0;
                }

        if (options.InvertContrast)
            for (int i = 0; i < n; i++) image[i] = 1 - image[i];
        if (options.Gamma != 1)
            for (int i = 0; i < n; i++) image[i] = Math.Pow(image[i], options.Gamma);
        if (options.BiasField != 0)
        {
            var field = Texture.Draw(new Random(Mix(options.Seed, 2)), dims, components: 3, maxFrequency: 1.0);
            for (int k = 0; k < d; k++)
                for (int j = 0; j < h; j++)
                    for (int i = 0; i < w; i++)
                        image[i + w * (j + h * k)] *= Math.Exp(options.BiasField * field.At(i, j, k));
        }
        if (options.BlurSigma > 0)
            GaussianBlur(image, dims, options.BlurSigma);
        if (options.NoiseStd > 0)
        {
            var noiseRng = new Random(Mix(options.Seed, 3));
            for (int i = 0; i < n; i++) image[i] += options.NoiseStd * Gaussian(noiseRng);
        }

        var pixels = new float[n];
        for (int i = 0; i < n; i++) pixels[i] = (float)image[i];
        var affine = Volume.Identity4();
        return new PhantomCase(new Volume(dims, new[] { pixels }, affine, "float32"), new Volume(dims, new[] { label }, affine, "uint8"));
    }

    /// <summary>A 2D phantom of the given size.</summary>
    public static PhantomCase Generate2D(int width = 64, int height = 64, int seed = 0) =>
        Generate(new PhantomOptions { Width = width, Height = height, Seed = seed });

    /// <summary>A 3D phantom of the given size.</summary>
    public static PhantomCase Generate3D(int width = 96, int height = 96, int depth = 24, int seed = 0) =>
        Generate(new PhantomOptions { Width = width, Height = height, Depth = depth, Seed = seed });

    // Fixed arithmetic rather than HashCode.Combine, whose output changes from process to process.
    private static int Mix(int seed, int stream) => unchecked(seed * 1_000_003 + stream * 7_919);

    private static double Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Separable blur with edge replication, so the border does not darken.</summary>
    private static void GaussianBlur(double[] data, int[] dims, double sigma)
    {
        int radius = Math.Max(1, (int)Math.Ceiling(3 * sigma));
        var kernel = new double[2 * radius + 1];
        for (int t = -radius; t <= radius; t++) kernel[t + radius] = Math.Exp(-t * t / (2 * sigma * sigma));
        double total = kernel.Sum();
        for (int t = 0; t < kernel.Length; t++) kernel[t] /= total;

        var strides = new[] { 1, dims[0], dims[0] * dims[1] };
        for (int axis = 0; axis < 3; axis++)
        {
            int len = dims[axis];
            if (len == 1) continue;
            var line = new double[len];
            int stride = strides[axis];
            for (int start = 0; start < data.Length; start++)
            {
                if ((start / stride) % len != 0) continue; // only line starts
                for (int t = 0; t < len; t++) line[t] = data[start + t * stride];
                for (int t = 0; t < len; t++)
                {
                    double acc = 0;
                    for (int q = -radius; q <= radius; q++)
                        acc += kernel[q + radius] * line[Math.Clamp(t + q, 0, len - 1)];
                    data[start + t * stride] = acc;
                }
            }
        }
    }

    /// <summary>A sum of random low-frequency cosines scaled into [-1, 1].</summary>
    private sealed class Texture
    {
        private readonly double[][] _waves; // kx, ky, kz, phase, amplitude

        private Texture(double[][] waves) => _waves = waves;

        public static Texture Draw(Random rng, int[] dims, int components, double maxFrequency = 6.0)
        {
            var waves = new double[components][];
            double ampSum = 0;
            for (int c = 0; c < components; c++)
            {
                double f = 0.5 + rng.NextDouble() * (maxFrequency - 0.5); // cycles across the image
                double theta = rng.NextDouble() * 2 * Math.PI;
                double phi = dims[2] > 1 ? Math.Acos(2 * rng.NextDouble() - 1) : Math.PI / 2;
                double amp = 0.5 + rng.NextDouble();
                ampSum += amp;
                waves[c] = new[]
                {
                    2 * Math.PI * f * Math.Sin(phi) * Math.Cos(theta) / dims[0],
                    2 * Math.PI * f * Math.Sin(phi) * Math.Sin(theta) / dims[1],
                    2 * Math.PI * f * Math.Cos(phi) / dims[2],
                    rng.NextDouble() * 2 * Math.PI,
                    amp,
                };
            }
            foreach (var wave in waves) wave[4] /= ampSum;
            return new Texture(waves);
        }

        public double At(int i, int j, int k)
        {
            double v = 0;
            foreach (var w in _waves) v += w[4] * Math.Cos(w[0] * i + w[1] * j + w[2] * k + w[3]);
            return v;
        }
    }

    /// <summary>A rotated ellipsoid whose radius swells into a few smooth lobes.</summary>
    private sealed class Lesion
    {
        private double[] _centre = new double[3];
        private double[] _radii = new double[3];
        private double _cos, _sin, _meanRadius;
        private double[][] _lobes = Array.Empty<double[]>(); // unit direction (3) + amplitude
        private bool _is3D;

        public static Lesion Draw(Random rng, int[] dims)
        {
            var l = new Lesion { _is3D = dims[2] > 1 };
            for (int a = 0; a < 3; a++)
            {
                l._centre[a] = dims[a] * (0.38 + 0.24 * rng.NextDouble());
                l._radii[a] = dims[a] * (0.12 + 0.08 * rng.NextDouble());
            }
            if (!l._is3D) l._centre[2] = 0;
            double angle = rng.NextDouble() * Math.PI;
            l._cos = Math.Cos(angle);
            l._sin = Math.Sin(angle);
            l._meanRadius = (l._radii[0] + l._radii[1]) / 2;
            int count = 3 + rng.Next(3);
            var lobes = new double[count][];
            double ampSum = 0;
            for (int m = 0; m < count; m++)
            {
                double theta = rng.NextDouble() * 2 * Math.PI;
                double z = l._is3D ? 2 * rng.NextDouble() - 1 : 0;
                double s = Math.Sqrt(1 - z * z);
                double amp = 0.15 + 0.2 * rng.NextDouble();
                ampSum += amp;
                lobes[m] = new[] { s * Math.Cos(theta), s * Math.Sin(theta), z, amp };
            }
            // Cap the total swelling at 60% so the lesion always stays inside the image.
            if (ampSum > 0.6) foreach (var lobe in lobes) lobe[3] *= 0.6 / ampSum;
            l._lobes = lobes;
            return l;
        }

        /// <summary>Approximate distance in voxels to the boundary, positive inside.</summary>
        public double SignedDistance(int i, int j, int k)
        {
            double dx = i - _centre[0], dy = j - _centre[1], dz = _is3D ? k - _centre[2] : 0;
            double u = (_cos * dx + _sin * dy) / _radii[0];
            double v = (-_sin * dx + _cos * dy) / _radii[1];
            double t = dz / _radii[2];
            double rho = Math.Sqrt(u * u + v * v + t * t);
            double reach = 1;
            if (rho > 1e-9)
            {
                foreach (var lobe in _lobes)
                {
                    double cosine = (u * lobe[0] + v * lobe[1] + t * lobe[2]) / rho;
                    reach += lobe[3] * Math.Exp((cosine - 1) / 0.15);
                }
            }
            return (reach - rho) * _meanRadius;
        }
    }
}
