using Cord19.Core.Numerics;

namespace Cord19.Core.Pipeline;

/// <summary>
/// Barnes-Hut t-SNE (van der Maaten, 2014) in two dimensions: perplexity-calibrated affinities over each
/// point's exact nearest neighbours, early exaggeration, momentum with adaptive gains, and repulsion
/// approximated with a quadtree. No t-SNE or UMAP package is served here, so it is written out; the exact
/// neighbour search is O(n²), which suits the run sizes the map draws in full (see <see cref="MaxPoints"/>).
/// </summary>
public static class Tsne
{
    public const string Method = "tsne";
    public const int MaxPoints = 30_000;

    /// <param name="Theta">Barnes-Hut's opening angle: 0.8 instead of the usual 0.5 took a quarter off the map's time
    /// on the real 15k corpus and kept as many neighbours (41.8% of 10-NN against 40.9%).</param>
    public sealed record Options(double Perplexity = 30, int Iterations = 500, double Theta = 0.8, int Seed = 42);

    public static (float X, float Y)[] Embed(IReadOnlyList<float[]> points, Options options, CancellationToken ct = default)
    {
        var n = points.Count;
        if (n < 5) return points.Select((_, i) => ((float)i, 0f)).ToArray();
        var perplexity = Math.Min(options.Perplexity, (n - 1) / 3.0);
        var k = Math.Min(n - 1, (int)(3 * perplexity));
        var (rows, cols, values) = Affinities(points, k, perplexity, ct);

        var random = new Random(options.Seed);
        var y = new double[n * 2];
        for (var i = 0; i < y.Length; i++) y[i] = Gaussian(random) * 1e-4;
        var velocity = new double[n * 2];
        var gains = Enumerable.Repeat(1.0, n * 2).ToArray();
        var gradient = new double[n * 2];
        var learningRate = Math.Max(n / 12.0 / 4, 50); // sklearn's "auto" (n / early exaggeration / 4)
        const int exaggerationEnd = 250;
        var tree = new QuadTree(n);

        for (var iteration = 0; iteration < options.Iterations; iteration++)
        {
            if ((iteration & 15) == 0) ct.ThrowIfCancellationRequested();
            var exaggeration = iteration < exaggerationEnd ? 12.0 : 1.0;
            var momentum = iteration < exaggerationEnd ? 0.5 : 0.8;
            Gradient(tree, y, rows, cols, values, exaggeration, options.Theta, gradient);
            for (var i = 0; i < y.Length; i++)
            {
                gains[i] = Math.Sign(gradient[i]) != Math.Sign(velocity[i]) ? gains[i] + 0.2 : Math.Max(gains[i] * 0.8, 0.01);
                velocity[i] = momentum * velocity[i] - learningRate * gains[i] * gradient[i];
                y[i] += velocity[i];
            }
            Centre(y);
        }
        return Enumerable.Range(0, n).Select(i => ((float)y[2 * i], (float)y[2 * i + 1])).ToArray();
    }

    /// <summary>Symmetric joint probabilities P over each point's k nearest neighbours, in CSR form.</summary>
    private static (int[] Rows, int[] Cols, double[] Values) Affinities(IReadOnlyList<float[]> points, int k, double perplexity, CancellationToken ct)
    {
        var n = points.Count;
        var neighbours = new int[n][];
        var conditional = new double[n][];
        var norms = points.Select(p => (double)VectorMath.Dot(p, p)).ToArray();
        Parallel.For(0, n, new ParallelOptions { CancellationToken = ct }, i =>
        {
            // |a-b|² = |a|² + |b|² - 2a·b with a SIMD dot product, and a bounded max-heap of the k nearest:
            // sorting all n distances for each point cost more than computing them.
            var heap = new PriorityQueue<int, double>(k + 1, Comparer<double>.Create((a, b) => b.CompareTo(a)));
            for (var j = 0; j < n; j++)
            {
                if (j == i) continue;
                var d = Math.Max(0, norms[i] + norms[j] - 2 * VectorMath.Dot(points[i], points[j]));
                if (heap.Count < k) heap.Enqueue(j, d);
                else if (heap.TryPeek(out _, out var worst) && d < worst) heap.EnqueueDequeue(j, d);
            }
            var nearest = new (double D, int J)[heap.Count];
            for (var m = nearest.Length - 1; heap.TryDequeue(out var j, out var d); m--) nearest[m] = (d, j);
            neighbours[i] = nearest.Select(e => e.J).ToArray();
            conditional[i] = Calibrate(nearest.Select(e => e.D).ToArray(), perplexity);
        });

        // P_ij = (p_j|i + p_i|j) / 2n, kept only where either is a neighbour of the other.
        var joint = new Dictionary<int, double>[n];
        for (var i = 0; i < n; i++) joint[i] = [];
        for (var i = 0; i < n; i++)
            for (var m = 0; m < k; m++)
            {
                var j = neighbours[i][m];
                var p = conditional[i][m] / (2.0 * n);
                joint[i][j] = joint[i].GetValueOrDefault(j) + p;
                joint[j][i] = joint[j].GetValueOrDefault(i) + p;
            }
        var rows = new int[n + 1];
        var cols = new List<int>();
        var values = new List<double>();
        for (var i = 0; i < n; i++)
        {
            foreach (var (j, p) in joint[i].OrderBy(e => e.Key)) { cols.Add(j); values.Add(p); }
            rows[i + 1] = cols.Count;
        }
        return (rows, cols.ToArray(), values.ToArray());
    }

    /// <summary>Binary search for the Gaussian precision that gives the wanted perplexity.</summary>
    private static double[] Calibrate(double[] squaredDistances, double perplexity)
    {
        var target = Math.Log(perplexity);
        double beta = 1, low = double.NegativeInfinity, high = double.PositiveInfinity;
        var p = new double[squaredDistances.Length];
        var shift = squaredDistances[0];
        for (var attempt = 0; attempt < 100; attempt++)
        {
            double sum = 0, weighted = 0;
            for (var m = 0; m < p.Length; m++)
            {
                p[m] = Math.Exp(-beta * (squaredDistances[m] - shift));
                sum += p[m];
                weighted += p[m] * (squaredDistances[m] - shift);
            }
            var entropy = Math.Log(sum) + beta * weighted / sum;
            for (var m = 0; m < p.Length; m++) p[m] /= sum;
            var difference = entropy - target;
            if (Math.Abs(difference) < 1e-5) break;
            if (difference > 0) { low = beta; beta = double.IsPositiveInfinity(high) ? beta * 2 : (beta + high) / 2; }
            else { high = beta; beta = double.IsNegativeInfinity(low) ? beta / 2 : (beta + low) / 2; }
        }
        return p;
    }

    private static void Gradient(QuadTree tree, double[] y, int[] rows, int[] cols, double[] values, double exaggeration, double theta, double[] gradient)
    {
        var n = y.Length / 2;
        tree.Build(y);
        var repulsive = new double[n * 2];
        var zs = new double[n];
        // Each point reads the tree alone; the normaliser is summed afterwards in a fixed order, so the
        // result does not depend on thread scheduling.
        Parallel.For(0, n, i =>
        {
            double fx = 0, fy = 0, zi = 0;
            tree.Repulsion(y[2 * i], y[2 * i + 1], theta, ref fx, ref fy, ref zi);
            repulsive[2 * i] = fx;
            repulsive[2 * i + 1] = fy;
            zs[i] = zi;
        });
        double z = 0;
        for (var i = 0; i < n; i++) z += zs[i];
        Parallel.For(0, n, i =>
        {
            double ax = 0, ay = 0;
            for (var e = rows[i]; e < rows[i + 1]; e++)
            {
                var j = cols[e];
                var dx = y[2 * i] - y[2 * j];
                var dy = y[2 * i + 1] - y[2 * j + 1];
                var q = 1 / (1 + dx * dx + dy * dy);
                ax += exaggeration * values[e] * q * dx;
                ay += exaggeration * values[e] * q * dy;
            }
            gradient[2 * i] = 4 * (ax - repulsive[2 * i] / z);
            gradient[2 * i + 1] = 4 * (ay - repulsive[2 * i + 1] / z);
        });
    }

    private static void Centre(double[] y)
    {
        double mx = 0, my = 0;
        var n = y.Length / 2;
        for (var i = 0; i < n; i++) { mx += y[2 * i]; my += y[2 * i + 1]; }
        mx /= n; my /= n;
        for (var i = 0; i < n; i++) { y[2 * i] -= mx; y[2 * i + 1] -= my; }
    }


    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>
    /// A point-region quadtree with each cell's mass and centre of mass, in flat arrays reused from one
    /// iteration to the next: a tree of objects rebuilt 500 times was most of the embedding's time.
    /// </summary>
    private sealed class QuadTree(int points)
    {
        private const int MaxDepth = 48;
        private double[] _cx = new double[4 * points + 1], _cy = new double[4 * points + 1], _half = new double[4 * points + 1];
        private double[] _mx = new double[4 * points + 1], _my = new double[4 * points + 1];
        private int[] _count = new int[4 * points + 1], _point = new int[4 * points + 1], _children = new int[4 * points + 1];
        private int _nodes;
        private double[] _y = [];

        public void Build(double[] y)
        {
            _y = y;
            double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
            for (var i = 0; i < y.Length / 2; i++)
            {
                minX = Math.Min(minX, y[2 * i]); maxX = Math.Max(maxX, y[2 * i]);
                minY = Math.Min(minY, y[2 * i + 1]); maxY = Math.Max(maxY, y[2 * i + 1]);
            }
            _nodes = 0;
            NewNode((minX + maxX) / 2, (minY + maxY) / 2, Math.Max(maxX - minX, maxY - minY) / 2 + 1e-5);
            for (var i = 0; i < y.Length / 2; i++) Insert(i);
        }

        private int NewNode(double cx, double cy, double half)
        {
            if (_nodes == _count.Length) Grow();
            var node = _nodes++;
            (_cx[node], _cy[node], _half[node], _mx[node], _my[node], _count[node], _point[node], _children[node]) = (cx, cy, half, 0, 0, 0, -1, -1);
            return node;
        }

        private void Grow()
        {
            var size = _count.Length * 2;
            Array.Resize(ref _cx, size); Array.Resize(ref _cy, size); Array.Resize(ref _half, size);
            Array.Resize(ref _mx, size); Array.Resize(ref _my, size);
            Array.Resize(ref _count, size); Array.Resize(ref _point, size); Array.Resize(ref _children, size);
        }

        private void Insert(int i)
        {
            var px = _y[2 * i];
            var py = _y[2 * i + 1];
            var node = 0;
            for (var depth = 0; ; depth++)
            {
                _mx[node] = (_mx[node] * _count[node] + px) / (_count[node] + 1);
                _my[node] = (_my[node] * _count[node] + py) / (_count[node] + 1);
                _count[node]++;
                if (_count[node] == 1) { _point[node] = i; return; }
                // Coincident points deeper than this share a leaf; their mass still counts.
                if (depth > MaxDepth) return;
                if (_children[node] < 0)
                {
                    var h = _half[node] / 2;
                    var first = NewNode(_cx[node] - h, _cy[node] - h, h);
                    NewNode(_cx[node] + h, _cy[node] - h, h);
                    NewNode(_cx[node] - h, _cy[node] + h, h);
                    NewNode(_cx[node] + h, _cy[node] + h, h);
                    _children[node] = first;
                    if (_point[node] >= 0)
                    {
                        // The point that had the cell to itself moves down into the (new, empty) child.
                        var old = _point[node];
                        var child = Child(node, _y[2 * old], _y[2 * old + 1]);
                        (_mx[child], _my[child], _count[child], _point[child]) = (_y[2 * old], _y[2 * old + 1], 1, old);
                        _point[node] = -1;
                    }
                }
                node = Child(node, px, py);
            }
        }

        private int Child(int node, double x, double y) => _children[node] + (x < _cx[node] ? 0 : 1) + (y < _cy[node] ? 0 : 2);

        public void Repulsion(double x, double y, double theta, ref double fx, ref double fy, ref double z)
        {
            Span<int> stack = stackalloc int[4 * (MaxDepth + 2)];
            var top = 0;
            stack[top++] = 0;
            while (top > 0)
            {
                var node = stack[--top];
                if (_count[node] == 0) continue;
                var dx = x - _mx[node];
                var dy = y - _my[node];
                var d2 = dx * dx + dy * dy;
                var leaf = _children[node] < 0;
                if (leaf || 2 * _half[node] / Math.Sqrt(d2 + 1e-12) < theta)
                {
                    if (leaf && _point[node] >= 0 && d2 < 1e-18 && _count[node] == 1) continue; // the point itself
                    var q = 1 / (1 + d2);
                    var mass = leaf && d2 < 1e-18 ? _count[node] - 1 : _count[node];
                    z += mass * q;
                    fx += mass * q * q * dx;
                    fy += mass * q * q * dy;
                    continue;
                }
                for (var c = 3; c >= 0; c--) stack[top++] = _children[node] + c;
            }
        }
    }
}
