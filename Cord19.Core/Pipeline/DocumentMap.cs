using Cord19.Core.Numerics;

namespace Cord19.Core.Pipeline;

/// <summary>
/// Places documents in 2D on the plane that best spreads the cluster centroids (the top two principal axes
/// of the centroids), so that clusters separate visibly at the cost of a few dot products per document.
/// The fallback for runs too large for <see cref="Tsne"/>, which keeps neighbourhoods far better; the
/// result schema records which method drew a map.
/// </summary>
public static class DocumentMap
{
    public const string Method = "centroid-pca";

    public static (float X, float Y)[] Project(IReadOnlyList<float[]> points, int[] assignments, int k)
    {
        var d = points[0].Length;
        var centroids = new double[k, d];
        var sizes = new int[k];
        for (var i = 0; i < points.Count; i++)
        {
            sizes[assignments[i]]++;
            for (var j = 0; j < d; j++) centroids[assignments[i], j] += points[i][j];
        }
        var mean = new double[d];
        for (var c = 0; c < k; c++)
            for (var j = 0; j < d; j++)
            {
                centroids[c, j] /= Math.Max(1, sizes[c]);
                mean[j] += centroids[c, j] / k;
            }

        // Scatter matrix of the centred centroids: its leading eigenvectors span the plane that spreads them most.
        var scatter = new double[d, d];
        for (var c = 0; c < k; c++)
            for (var i = 0; i < d; i++)
                for (var j = 0; j < d; j++)
                    scatter[i, j] += (centroids[c, i] - mean[i]) * (centroids[c, j] - mean[j]);
        var axes = SymmetricEigen.Leading(scatter, 2);
        var axis1 = axes[0].Vector;
        var axis2 = axes.Count > 1 ? axes[1].Vector : new double[d];

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
}
