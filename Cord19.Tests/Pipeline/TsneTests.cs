using Cord19.Core.Numerics;
using Cord19.Core.Pipeline;

namespace Cord19.Tests.Pipeline;

public sealed class TsneTests
{
    [Fact]
    public void Separate_groups_in_many_dimensions_stay_separate_on_the_map_and_the_same_points_give_the_same_map()
    {
        var random = new Random(11);
        var points = new List<float[]>();
        var group = new List<int>();
        for (var i = 0; i < 300; i++)
        {
            var g = i % 3;
            points.Add(Enumerable.Range(0, 10).Select(d => (float)((d == g ? 8 : 0) + random.NextDouble())).ToArray());
            group.Add(g);
        }

        var map = Tsne.Embed(points, new Tsne.Options(Perplexity: 20));
        var again = Tsne.Embed(points, new Tsne.Options(Perplexity: 20));

        var sameGroupNearest = Enumerable.Range(0, points.Count).Count(i =>
            group[Enumerable.Range(0, points.Count).Where(j => j != i)
                .MinBy(j => Math.Pow(map[i].X - map[j].X, 2) + Math.Pow(map[i].Y - map[j].Y, 2))] == group[i]);
        Assert.True(sameGroupNearest >= 297, $"{sameGroupNearest} of 300 points have a nearest map neighbour from their own group");
        Assert.Equal(map, again);
        Assert.All(map, p => Assert.True(float.IsFinite(p.X) && float.IsFinite(p.Y)));
    }

    [Fact]
    public void The_neighbour_search_finds_the_same_neighbours_as_comparing_every_pair()
    {
        var random = new Random(5);
        // 701 points: the last band of queries ends with a lone query, the last tile of candidates part-way along a register.
        var points = Enumerable.Range(0, 701).Select(_ => Enumerable.Range(0, 13).Select(_ => (float)random.NextDouble()).ToArray()).ToList();

        var found = ExactNeighbours.Search(points, 7);

        foreach (var i in Enumerable.Range(0, points.Count).Where(i => i % 37 == 0 || i >= 695))
        {
            var expected = Enumerable.Range(0, points.Count).Where(j => j != i)
                .OrderBy(j => points[i].Zip(points[j], (a, b) => (a - b) * (a - b)).Sum()).Take(7).ToArray();
            Assert.Equal(expected, found.Indices[i]);
            Assert.Equal(points[i].Zip(points[expected[0]], (a, b) => (double)(a - b) * (a - b)).Sum(), found.SquaredDistances[i][0], 4);
        }
    }

    [Fact]
    public void Barnes_Hut_with_an_opening_angle_of_zero_is_the_exact_repulsion()
    {
        var random = new Random(3);
        var y = Enumerable.Range(0, 2 * 203).Select(_ => random.NextDouble() * 10).ToArray();
        y[2] = y[0]; y[3] = y[1]; // two coincident points
        var tree = new BarnesHutTree(203);
        tree.Build(y);

        var forces = new double[2 * 203];
        var z = tree.RepelAll(0, forces);

        var (exact, exactZ) = ExactRepulsion(y);
        for (var m = 0; m < forces.Length; m++) Assert.Equal(exact[m], forces[m], 3);
        Assert.Equal(exactZ, z, 2);
        Assert.Equal(Enumerable.Range(0, 203), tree.Order.ToArray().Order());
    }

    [Fact]
    public void Barnes_Hut_at_the_maps_opening_angle_stays_close_to_the_exact_repulsion()
    {
        // Clustered like a map, so that whole cells far from a group of points are taken at once.
        const int n = 3_000;
        var random = new Random(5);
        var y = new double[2 * n];
        for (var i = 0; i < n; i++)
        {
            var (cx, cy) = ((i % 5) * 20.0, (i % 3) * 15.0);
            (y[2 * i], y[2 * i + 1]) = (cx + random.NextGaussian() * 3, cy + random.NextGaussian() * 3);
        }
        var tree = new BarnesHutTree(n);
        tree.Build(y);

        var forces = new double[2 * n];
        var z = tree.RepelAll(new Tsne.Options().Theta, forces);

        var (exact, exactZ) = ExactRepulsion(y);
        double error = 0, size = 0;
        for (var m = 0; m < forces.Length; m++) (error, size) = (error + Math.Pow(forces[m] - exact[m], 2), size + exact[m] * exact[m]);
        // The group walk measured 1.4% on Z and 2.7% on the forces here; a walk of its own for each point, as before it,
        // 2.5% and 5.6%: eight points share a walk only where it is at least as exact as each one's.
        Assert.InRange(Math.Abs(z - exactZ) / exactZ, 0, 0.02);
        Assert.InRange(Math.Sqrt(error / size), 0, 0.04);
    }

    /// <summary>Σ_j q_ij² (y_i − y_j) for every point (x, y pairs) and Z = Σ_ij q_ij, over every pair.</summary>
    private static (double[] Forces, double Z) ExactRepulsion(double[] y)
    {
        var n = y.Length / 2;
        var forces = new double[y.Length];
        double z = 0;
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
            {
                if (j == i) continue;
                var (dx, dy) = (y[2 * i] - y[2 * j], y[2 * i + 1] - y[2 * j + 1]);
                var q = 1 / (1 + dx * dx + dy * dy);
                (forces[2 * i], forces[2 * i + 1], z) = (forces[2 * i] + q * q * dx, forces[2 * i + 1] + q * q * dy, z + q);
            }
        return (forces, z);
    }
}
