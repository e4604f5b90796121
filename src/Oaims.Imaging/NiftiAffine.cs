namespace Oaims.Imaging;

/// <summary>The three ways a NIfTI header encodes voxel-to-world, computed as nibabel computes them.</summary>
internal static class NiftiAffine
{
    /// <summary>nibabel's get_qform: rotation from the quaternion, times diag(pixdim) with qfac on the third zoom.</summary>
    public static double[,] FromQform(double b, double c, double d, double qx, double qy, double qz, double dx, double dy, double dz, double qfac, double threshold)
    {
        // fillpositive: the stored quaternion omits a, which is recovered as the positive root.
        double w2 = 1.0 - (b * b + c * c + d * d);
        double a;
        if (w2 >= 0)
        {
            a = Math.Sqrt(w2);
        }
        else if (w2 >= threshold)
        {
            a = 0;
        }
        else
        {
            // nibabel refuses such headers; the NIfTI reference library renormalises (b, c, d)
            // and sets a = 0, which is the more useful reading of a slightly-off rotation.
            double norm = Math.Sqrt(b * b + c * c + d * d);
            b /= norm; c /= norm; d /= norm; a = 0;
        }

        var r = QuaternionToMatrix(a, b, c, d);
        var m = Volume.Identity4();
        double[] zooms = { dx, dy, dz * qfac };
        for (int row = 0; row < 3; row++)
            for (int col = 0; col < 3; col++)
                m[row, col] = r[row, col] * zooms[col];
        m[0, 3] = qx; m[1, 3] = qy; m[2, 3] = qz;
        return m;
    }

    public static double[,] FromSform(double[] srowX, double[] srowY, double[] srowZ)
    {
        var m = Volume.Identity4();
        for (int col = 0; col < 4; col++)
        {
            m[0, col] = srowX[col];
            m[1, col] = srowY[col];
            m[2, col] = srowZ[col];
        }
        return m;
    }

    /// <summary>
    /// nibabel's get_base_affine (shape_zoom_affine with x flipped): the fallback when neither
    /// sform nor qform is set, centred on the middle voxel.
    /// </summary>
    public static double[,] Base(long[] shape, double[] zooms)
    {
        var s = new double[3];
        var z = new double[3];
        for (int i = 0; i < 3; i++)
        {
            s[i] = i < shape.Length ? shape[i] : 1;
            z[i] = i < zooms.Length ? zooms[i] : 1;
        }
        z[0] = -z[0];
        var m = Volume.Identity4();
        for (int i = 0; i < 3; i++)
        {
            m[i, i] = z[i];
            m[i, 3] = -((s[i] - 1) / 2.0) * z[i];
        }
        return m;
    }

    /// <summary>nibabel's quat2mat (normalising, so slightly non-unit quaternions still give rotations).</summary>
    public static double[,] QuaternionToMatrix(double w, double x, double y, double z)
    {
        double nq = w * w + x * x + y * y + z * z;
        if (nq < 2.220446049250313e-16) return new double[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
        double s = 2.0 / nq;
        double xs = x * s, ys = y * s, zs = z * s;
        double wx = w * xs, wy = w * ys, wz = w * zs;
        double xx = x * xs, xy = x * ys, xz = x * zs;
        double yy = y * ys, yz = y * zs, zz = z * zs;
        return new double[,]
        {
            { 1.0 - (yy + zz), xy - wz, xz + wy },
            { xy + wz, 1.0 - (xx + zz), yz - wx },
            { xz - wy, yz + wx, 1.0 - (xx + yy) },
        };
    }

    /// <summary>What a writer stores as qform for an affine, following nibabel's set_qform (shears stripped).</summary>
    public readonly record struct Qform(double B, double C, double D, double Qfac, double[] Zooms, double[] Offset, double[,] Rotation);

    public static Qform ToQform(double[,] affine)
    {
        var zooms = new double[3];
        var r = new double[3, 3];
        for (int col = 0; col < 3; col++)
        {
            zooms[col] = Math.Sqrt(affine[0, col] * affine[0, col] + affine[1, col] * affine[1, col] + affine[2, col] * affine[2, col]);
            for (int row = 0; row < 3; row++)
                r[row, col] = zooms[col] > 0 ? affine[row, col] / zooms[col] : (row == col ? 1 : 0);
            if (zooms[col] == 0) zooms[col] = 1;
        }
        double qfac = 1;
        if (Det(r) < 0)
        {
            qfac = -1;
            for (int row = 0; row < 3; row++) r[row, 2] = -r[row, 2];
        }
        r = NearestRotation(r);
        var (w, x, y, z) = MatrixToQuaternion(r);
        if (w < 0) { x = -x; y = -y; z = -z; }
        return new Qform(x, y, z, qfac, zooms, new[] { affine[0, 3], affine[1, 3], affine[2, 3] }, r);
    }

    /// <summary>
    /// Picks float32 values for (b, c, d) whose reconstructed rotation is closest to the intended one.
    /// </summary>
    /// <remarks>
    /// A reader recovers a = sqrt(1 - b^2 - c^2 - d^2). Near a half turn a is close to 0 and plain
    /// rounding of b, c, d to float32 can turn a = 0 into a = 3e-4, tilting the grid by that much.
    /// Trying the neighbouring float32 values of each component (27 candidates) finds one whose
    /// squared norm lands where the reader's threshold gives the intended a.
    /// </remarks>
    public static Qform RoundForFloat32(Qform q)
    {
        const double threshold = -3 * 1.1920929e-07;
        var best = q;
        double bestError = double.PositiveInfinity;
        foreach (float b in Neighbours(q.B))
            foreach (float c in Neighbours(q.C))
                foreach (float d in Neighbours(q.D))
                {
                    var m = FromQform(b, c, d, 0, 0, 0, 1, 1, 1, 1, threshold);
                    double error = 0;
                    for (int row = 0; row < 3; row++)
                        for (int col = 0; col < 3; col++)
                            error = Math.Max(error, Math.Abs(m[row, col] - q.Rotation[row, col]));
                    if (error < bestError)
                    {
                        bestError = error;
                        best = q with { B = b, C = c, D = d };
                    }
                }
        return best;
    }

    private static float[] Neighbours(double value)
    {
        float f = (float)value;
        return new[] { MathF.BitDecrement(f), f, MathF.BitIncrement(f) };
    }

    private static double Det(double[,] m) =>
        m[0, 0] * (m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1])
        - m[0, 1] * (m[1, 0] * m[2, 2] - m[1, 2] * m[2, 0])
        + m[0, 2] * (m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0]);

    /// <summary>
    /// The orthogonal polar factor (what nibabel gets from an SVD), by Newton iteration
    /// R &lt;- (R + R^-T) / 2, which converges quadratically for any non-singular matrix.
    /// </summary>
    private static double[,] NearestRotation(double[,] m)
    {
        var r = (double[,])m.Clone();
        for (int iter = 0; iter < 100; iter++)
        {
            double det = Det(r);
            if (Math.Abs(det) < 1e-12) return new double[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
            // inverse transpose = cofactor matrix / det
            var next = new double[3, 3];
            double change = 0;
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++)
                {
                    int i1 = (i + 1) % 3, i2 = (i + 2) % 3, j1 = (j + 1) % 3, j2 = (j + 2) % 3;
                    double cof = r[i1, j1] * r[i2, j2] - r[i1, j2] * r[i2, j1];
                    next[i, j] = 0.5 * (r[i, j] + cof / det);
                    change = Math.Max(change, Math.Abs(next[i, j] - r[i, j]));
                }
            r = next;
            if (change < 1e-15) break;
        }
        return r;
    }

    /// <summary>Shepperd's method: numerically stable whichever of w, x, y, z is largest.</summary>
    private static (double W, double X, double Y, double Z) MatrixToQuaternion(double[,] m)
    {
        double tr = m[0, 0] + m[1, 1] + m[2, 2];
        if (tr > 0)
        {
            double s = Math.Sqrt(tr + 1.0) * 2;
            return (0.25 * s, (m[2, 1] - m[1, 2]) / s, (m[0, 2] - m[2, 0]) / s, (m[1, 0] - m[0, 1]) / s);
        }
        if (m[0, 0] > m[1, 1] && m[0, 0] > m[2, 2])
        {
            double s = Math.Sqrt(1.0 + m[0, 0] - m[1, 1] - m[2, 2]) * 2;
            return ((m[2, 1] - m[1, 2]) / s, 0.25 * s, (m[0, 1] + m[1, 0]) / s, (m[0, 2] + m[2, 0]) / s);
        }
        if (m[1, 1] > m[2, 2])
        {
            double s = Math.Sqrt(1.0 + m[1, 1] - m[0, 0] - m[2, 2]) * 2;
            return ((m[0, 2] - m[2, 0]) / s, (m[0, 1] + m[1, 0]) / s, 0.25 * s, (m[1, 2] + m[2, 1]) / s);
        }
        double t = Math.Sqrt(1.0 + m[2, 2] - m[0, 0] - m[1, 1]) * 2;
        return ((m[1, 0] - m[0, 1]) / t, (m[0, 2] + m[2, 0]) / t, (m[1, 2] + m[2, 1]) / t, 0.25 * t);
    }
}
