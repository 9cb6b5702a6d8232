using Cord19.Core.Numerics;

namespace Cord19.Core.Pipeline;

/// <summary>
/// t-SNE's attractive forces, Σ_j p_ij q_ij (y_i − y_j), over the sparse symmetric P. Each pair is stored once
/// (j &gt; i) and pushes both of its points, which halves the work; the rows are split into a fixed number of
/// parts, each summed into its own buffer and the buffers added in order, so the result is the same on any number
/// of cores and whatever the scheduling.
/// </summary>
internal sealed class TsneAttraction
{
    private const int Parts = 4;

    private readonly int[] _rows;
    private readonly int[] _cols;
    private readonly float[] _values;
    private readonly int[] _partStart;
    private readonly double[][] _buffers;

    /// <param name="rows">CSR row starts of the upper triangle (j &gt; i).</param>
    public TsneAttraction(int[] rows, int[] cols, float[] values)
    {
        (_rows, _cols, _values) = (rows, cols, values);
        var n = rows.Length - 1;
        _partStart = new int[Parts + 1];
        for (int part = 1, i = 0; part < Parts; part++)
        {
            var edges = (long)rows[n] * part / Parts;
            while (i < n && rows[i] < edges) i++;
            _partStart[part] = i;
        }
        _partStart[Parts] = n;
        _buffers = Enumerable.Range(0, Parts).Select(_ => new double[2 * n]).ToArray();
    }

    /// <summary>Writes each point's attraction, times <paramref name="exaggeration"/>, into <paramref name="forces"/>.</summary>
    public void Compute(double[] y, double exaggeration, double[] forces)
    {
        Parallel.For(0, Parts, ParallelWork.Options(), part =>
        {
            var buffer = _buffers[part];
            Array.Clear(buffer);
            for (var i = _partStart[part]; i < _partStart[part + 1]; i++)
            {
                double yx = y[2 * i], yy = y[2 * i + 1], ax = 0, ay = 0;
                for (var e = _rows[i]; e < _rows[i + 1]; e++)
                {
                    var j = _cols[e];
                    var dx = yx - y[2 * j];
                    var dy = yy - y[2 * j + 1];
                    var pq = _values[e] / (1 + dx * dx + dy * dy);
                    ax += pq * dx;
                    ay += pq * dy;
                    buffer[2 * j] -= pq * dx;
                    buffer[2 * j + 1] -= pq * dy;
                }
                buffer[2 * i] += ax;
                buffer[2 * i + 1] += ay;
            }
        });
        var n = forces.Length / 2;
        Parallel.For(0, Parts, ParallelWork.Options(), part =>
        {
            var from = (int)((long)2 * n * part / Parts);
            var to = (int)((long)2 * n * (part + 1) / Parts);
            for (var m = from; m < to; m++)
            {
                double sum = 0;
                for (var b = 0; b < Parts; b++) sum += _buffers[b][m];
                forces[m] = exaggeration * sum;
            }
        });
    }
}
