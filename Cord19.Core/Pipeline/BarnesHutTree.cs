using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Cord19.Core.Numerics;

namespace Cord19.Core.Pipeline;

/// <summary>
/// t-SNE's repulsion by Barnes-Hut: a point-region quadtree whose cells far enough away (cell width / distance below
/// θ) act as one mass at their centre. Built in an array of cells reused from one iteration to the next (a tree of
/// objects rebuilt 500 times was most of the embedding's time), then packed into one 24-byte record a cell, so a
/// visit reads one cache line instead of six arrays; points are visited in the tree's own order, so neighbouring
/// points, which walk nearly the same cells, follow one another. Together these took the
/// iterations on the real corpus from about 11 s to 8.6 s (500 iterations, before they were cut to 300). Eight such
/// neighbours now walk the tree together (<see cref="RepelGroup"/>): with the attraction computed while the tree is
/// built, the real corpus's map 4.5-5.7 s → 3.3-3.4 s in three alternated pairs (docs/benchmarks.md).
/// </summary>
internal sealed class BarnesHutTree(int points)
{
    private const int MaxDepth = 48;

    [StructLayout(LayoutKind.Sequential)]
    private struct Cell
    {
        public float X, Y;      // centre of mass
        public float Width2;    // the cell's width, squared (compared with θ² d² rather than taking a root)
        public int Count;
        public int Children;    // index of the first of four, or -1 for a leaf
        public int Point;       // the leaf's single point, or -1
    }

    /// <summary>A cell while points are inserted: its square, and the sums that become the centre of mass.</summary>
    private struct Square
    {
        public double Cx, Cy, Half, Sx, Sy;
        public int Count, Children, Point;
    }

    private Square[] _squares = new Square[4 * points + 1];
    private Cell[] _cells = new Cell[4 * points + 1];
    private readonly int[] _order = Enumerable.Range(0, points).ToArray();
    private readonly double[] _z = new double[points];
    private int _nodes;
    private double[] _y = [];

    /// <summary>The points in depth-first order of the tree: a space-filling order for the traversals.</summary>
    public ReadOnlySpan<int> Order => _order;

    public void Build(double[] y)
    {
        _y = y;
        var n = y.Length / 2;
        double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
        for (var i = 0; i < n; i++)
        {
            minX = Math.Min(minX, y[2 * i]); maxX = Math.Max(maxX, y[2 * i]);
            minY = Math.Min(minY, y[2 * i + 1]); maxY = Math.Max(maxY, y[2 * i + 1]);
        }
        _nodes = 0;
        NewNode((minX + maxX) / 2, (minY + maxY) / 2, Math.Max(maxX - minX, maxY - minY) / 2 + 1e-5);
        // In the previous build's spatial order: consecutive points walk nearly the same cells, which stay in cache,
        // and the cells are laid out near each other for the walks that follow. The tree is the same in any order.
        for (var m = 0; m < n; m++) Insert(_order[m]);
        Pack();
    }

    /// <summary>
    /// Every point's repulsion into <paramref name="forces"/> (x, y pairs); returns the normaliser Z = Σ_ij q_ij. Points
    /// are taken in chunks of the tree's spatial order, each reading the tree alone; Z is summed afterwards in point
    /// order, so the result does not depend on thread scheduling.
    /// </summary>
    public double RepelAll(double theta, double[] forces)
    {
        var n = _order.Length;
        var theta2 = (float)(theta * theta);
        Parallel.For(0, (n + Chunk - 1) / Chunk, ParallelWork.Options(), chunk =>
        {
            for (var m = chunk * Chunk; m < Math.Min(n, (chunk + 1) * Chunk); m += Lanes)
                RepelGroup(_order.AsSpan(m, Math.Min(Lanes, n - m)), theta2, forces);
        });
        double z = 0;
        for (var i = 0; i < n; i++) z += _z[i];
        return z;
    }

    private const int Chunk = 256, Lanes = 8;

    /// <summary>
    /// Σ_j q_ij² (y_i − y_j) and Σ_j q_ij for up to eight points that follow one another in the tree's order, with
    /// q = 1 / (1 + d²), in one walk: a cell is taken whole when it is far enough from the box around all of them
    /// (so at least as far as Barnes-Hut asks for each), and its pull on the eight is one vector operation.
    /// </summary>
    /// <remarks>
    /// Such points are neighbours, so the walk one of them makes is nearly the walk of all: the traversal, which was
    /// most of the repulsion's time, is shared eight ways, and only the cells near the group are opened further than
    /// a walk of its own would have opened them, which makes those points' forces more exact, not less.
    /// </remarks>
    private void RepelGroup(ReadOnlySpan<int> members, float theta2, double[] forces)
    {
        Span<float> xs = stackalloc float[Lanes], ys = stackalloc float[Lanes];
        for (var lane = 0; lane < Lanes; lane++)
        {
            // A short last group repeats its last point in the spare lanes, whose results are not kept.
            var i = members[Math.Min(lane, members.Length - 1)];
            (xs[lane], ys[lane]) = ((float)_y[2 * i], (float)_y[2 * i + 1]);
        }
        float minX = xs[0], maxX = xs[0], minY = ys[0], maxY = ys[0];
        for (var lane = 1; lane < Lanes; lane++)
        {
            minX = Math.Min(minX, xs[lane]); maxX = Math.Max(maxX, xs[lane]);
            minY = Math.Min(minY, ys[lane]); maxY = Math.Max(maxY, ys[lane]);
        }
        var x = Vector256.Create<float>(xs);
        var y = Vector256.Create<float>(ys);
        Vector256<float> sx = default, sy = default, sz = default;
        var cells = _cells;
        Span<int> stack = stackalloc int[4 * (MaxDepth + 2)];
        var top = 0;
        stack[top++] = 0;
        while (top > 0)
        {
            ref readonly var cell = ref cells[stack[--top]];
            if (cell.Count == 0) continue;
            if (cell.Children >= 0)
            {
                var gapX = Math.Max(0, Math.Max(minX - cell.X, cell.X - maxX));
                var gapY = Math.Max(0, Math.Max(minY - cell.Y, cell.Y - maxY));
                if (cell.Width2 >= theta2 * (gapX * gapX + gapY * gapY))
                {
                    for (var c = 3; c >= 0; c--) stack[top++] = cell.Children + c;
                    continue;
                }
            }
            var dx = x - Vector256.Create(cell.X);
            var dy = y - Vector256.Create(cell.Y);
            var d2 = dx * dx + dy * dy;
            var mass = Vector256.Create((float)cell.Count);
            // A leaf repels a point at its very centre with one less than its mass: a point's own leaf (its centre is
            // the point, to the bit) not at all, a leaf of coincident points (only past MaxDepth) with the others'.
            if (cell.Children < 0) mass -= Vector256.Equals(d2, Vector256<float>.Zero) & Vector256<float>.One;
            var q = Vector256<float>.One / (Vector256<float>.One + d2);
            var pull = mass * q;
            sz += pull;
            pull *= q;
            sx += pull * dx;
            sy += pull * dy;
        }
        for (var lane = 0; lane < members.Length; lane++)
        {
            var i = members[lane];
            (forces[2 * i], forces[2 * i + 1], _z[i]) = (sx[lane], sy[lane], sz[lane]);
        }
    }

    private void Pack()
    {
        if (_cells.Length < _nodes) _cells = new Cell[_squares.Length];
        var next = 0;
        for (var node = 0; node < _nodes; node++)
        {
            ref readonly var s = ref _squares[node];
            var width = 2 * s.Half;
            var count = Math.Max(1, s.Count);
            _cells[node] = new Cell
            {
                X = (float)(s.Sx / count), Y = (float)(s.Sy / count), Width2 = (float)(width * width),
                Count = s.Count, Children = s.Children, Point = s.Point,
            };
        }
        // Depth-first from the root, children in quadrant order.
        Span<int> stack = stackalloc int[4 * (MaxDepth + 2)];
        var top = 0;
        stack[top++] = 0;
        while (top > 0)
        {
            ref readonly var cell = ref _cells[stack[--top]];
            if (cell.Count == 0) continue;
            if (cell.Children < 0)
            {
                if (cell.Point >= 0) _order[next++] = cell.Point;
                continue;
            }
            for (var c = 3; c >= 0; c--) stack[top++] = cell.Children + c;
        }
        // Coincident points past MaxDepth share a leaf without a single point: append whoever was not reached.
        if (next < _order.Length)
        {
            var seen = new bool[_order.Length];
            for (var m = 0; m < next; m++) seen[_order[m]] = true;
            for (var i = 0; i < seen.Length; i++) if (!seen[i]) _order[next++] = i;
        }
    }

    private int NewNode(double cx, double cy, double half)
    {
        if (_nodes == _squares.Length) Array.Resize(ref _squares, _squares.Length * 2);
        var node = _nodes++;
        _squares[node] = new Square { Cx = cx, Cy = cy, Half = half, Children = -1, Point = -1 };
        return node;
    }

    private void Insert(int i)
    {
        var px = _y[2 * i];
        var py = _y[2 * i + 1];
        var node = 0;
        for (var depth = 0; ; depth++)
        {
            ref var s = ref _squares[node];
            // Sums until Pack divides them by the count.
            s.Sx += px;
            s.Sy += py;
            s.Count++;
            if (s.Count == 1) { s.Point = i; return; }
            // Coincident points deeper than this share a leaf; their mass still counts.
            if (depth > MaxDepth) { s.Point = -1; return; }
            if (s.Children < 0)
            {
                var (cx, cy, h) = (s.Cx, s.Cy, s.Half / 2);
                var old = s.Point;
                s.Point = -1;
                var first = NewNode(cx - h, cy - h, h); // may move _squares: s is not used after this
                NewNode(cx + h, cy - h, h);
                NewNode(cx - h, cy + h, h);
                NewNode(cx + h, cy + h, h);
                _squares[node].Children = first;
                if (old >= 0)
                {
                    // The point that had the cell to itself moves down into the (new, empty) child.
                    ref var child = ref _squares[Child(node, _y[2 * old], _y[2 * old + 1])];
                    (child.Sx, child.Sy, child.Count, child.Point) = (_y[2 * old], _y[2 * old + 1], 1, old);
                }
            }
            node = Child(node, px, py);
        }
    }

    private int Child(int node, double x, double y)
    {
        ref readonly var s = ref _squares[node];
        return s.Children + (x < s.Cx ? 0 : 1) + (y < s.Cy ? 0 : 2);
    }
}
