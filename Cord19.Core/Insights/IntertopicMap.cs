using Cord19.Core.Numerics;
using Cord19.Core.Results;

namespace Cord19.Core.Insights;

/// <summary>
/// pyLDAvis' intertopic distance map: Jensen-Shannon distances between topic-term distributions, laid out
/// in 2D by classical multidimensional scaling (principal coordinates).
/// </summary>
public static class IntertopicMap
{
    public sealed record TopicPoint(int TopicId, double X, double Y);

    public static IReadOnlyList<TopicPoint> Layout(TopicTermMatrix matrix)
    {
        var topics = matrix.Topics;
        var n = topics.Count;
        if (n == 0) return [];
        if (n == 1) return [new TopicPoint(topics[0].Id, 0, 0)];

        var squared = new double[n, n];
        for (var i = 0; i < n; i++)
            for (var j = i + 1; j < n; j++)
                squared[i, j] = squared[j, i] = JensenShannonDivergence(topics[i].Probabilities, topics[j].Probabilities);

        // Double centring turns squared distances into a Gram matrix whose top eigenvectors give the coordinates.
        var rowMean = new double[n];
        double grand = 0;
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++) rowMean[i] += squared[i, j] / n;
            grand += rowMean[i] / n;
        }
        var gram = new double[n, n];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
                gram[i, j] = -0.5 * (squared[i, j] - rowMean[i] - rowMean[j] + grand);

        var axes = SymmetricEigen.Leading(gram, 2);
        double Coordinate(int axis, int i) => axis < axes.Count && axes[axis].Value > 0 ? axes[axis].Vector[i] * Math.Sqrt(axes[axis].Value) : 0;
        return Enumerable.Range(0, n).Select(i => new TopicPoint(topics[i].Id, Coordinate(0, i), Coordinate(1, i))).ToList();
    }

    /// <summary>JS divergence in bits (0 for equal distributions, 1 for disjoint ones); its square root is a metric.</summary>
    public static double JensenShannonDivergence(IReadOnlyList<double> p, IReadOnlyList<double> q)
    {
        double sum = 0;
        for (var i = 0; i < p.Count; i++)
        {
            var m = (p[i] + q[i]) / 2;
            if (p[i] > 0) sum += p[i] * Math.Log2(p[i] / m);
            if (q[i] > 0) sum += q[i] * Math.Log2(q[i] / m);
        }
        return Math.Max(0, sum / 2);
    }
}
