namespace Cord19.Core.Pipeline;

/// <summary>
/// Places documents in 2D on the plane that best spreads the cluster centroids (the top two principal axes
/// of the centroids), so that clusters separate visibly at the cost of a few dot products per document.
/// A neighbourhood-preserving map (t-SNE or UMAP) is the pipeline issue's to add; the result schema records
/// which method drew a map.
/// </summary>
public static class DocumentMap
{
    public const string Method = "centroid-pca";

    public static (float X, float Y)[] Project(IReadOnlyList<float[]> points, int[] assignments, int k)
    {
        var d = points[0].Length;
        var centroids = new double[k][];
        var sizes = new int[k];
        for (var c = 0; c < k; c++) centroids[c] = new double[d];
        for (var i = 0; i < points.Count; i++)
        {
            sizes[assignments[i]]++;
            for (var j = 0; j < d; j++) centroids[assignments[i]][j] += points[i][j];
        }
        for (var c = 0; c < k; c++)
            for (var j = 0; j < d; j++) centroids[c][j] /= Math.Max(1, sizes[c]);

        var mean = new double[d];
        foreach (var c in centroids) for (var j = 0; j < d; j++) mean[j] += c[j] / k;
        var centred = centroids.Select(c => c.Select((v, j) => v - mean[j]).ToArray()).ToArray();

        var axis1 = PrincipalAxis(centred, null);
        var axis2 = PrincipalAxis(centred, axis1);

        var result = new (float, float)[points.Count];
        for (var i = 0; i < points.Count; i++)
        {
            double x = 0, y = 0;
            for (var j = 0; j < d; j++)
            {
                var v = points[i][j] - mean[j];
                x += v * axis1[j];
                y += v * axis2[j];
            }
            result[i] = ((float)x, (float)y);
        }
        return result;
    }

    /// <summary>Power iteration on the centroids' scatter matrix, orthogonal to <paramref name="exclude"/>.</summary>
    private static double[] PrincipalAxis(double[][] rows, double[]? exclude)
    {
        var d = rows[0].Length;
        var v = Enumerable.Range(0, d).Select(j => 1.0 / (1 + j)).ToArray();
        for (var iteration = 0; iteration < 200; iteration++)
        {
            if (exclude is not null) Orthogonalise(v, exclude);
            var next = new double[d];
            foreach (var r in rows)
            {
                var dot = 0.0;
                for (var j = 0; j < d; j++) dot += r[j] * v[j];
                for (var j = 0; j < d; j++) next[j] += dot * r[j];
            }
            if (exclude is not null) Orthogonalise(next, exclude);
            var norm = Math.Sqrt(next.Sum(x => x * x));
            if (norm < 1e-12) return UnitOrthogonalTo(exclude, d);
            for (var j = 0; j < d; j++) next[j] /= norm;
            v = next;
        }
        return v;
    }

    private static void Orthogonalise(double[] v, double[] axis)
    {
        var dot = 0.0;
        for (var j = 0; j < v.Length; j++) dot += v[j] * axis[j];
        for (var j = 0; j < v.Length; j++) v[j] -= dot * axis[j];
    }

    private static double[] UnitOrthogonalTo(double[]? axis, int d)
    {
        var v = new double[d];
        v[axis is not null && Math.Abs(axis[0]) > 0.9 ? 1 : 0] = 1;
        if (axis is not null) Orthogonalise(v, axis);
        var norm = Math.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / norm).ToArray();
    }
}
