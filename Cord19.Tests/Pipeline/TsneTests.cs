using Cord19.Core.Pipeline;

namespace Cord19.Tests.Pipeline;

public sealed class TsneTests
{
    [Fact]
    public void Separate_groups_in_many_dimensions_stay_separate_on_the_map_and_the_same_seed_gives_the_same_map()
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

        var map = Tsne.Embed(points, new Tsne.Options(Perplexity: 20, Iterations: 300, Seed: 1));
        var again = Tsne.Embed(points, new Tsne.Options(Perplexity: 20, Iterations: 300, Seed: 1));

        var sameGroupNearest = Enumerable.Range(0, points.Count).Count(i =>
            group[Enumerable.Range(0, points.Count).Where(j => j != i)
                .MinBy(j => Math.Pow(map[i].X - map[j].X, 2) + Math.Pow(map[i].Y - map[j].Y, 2))] == group[i]);
        Assert.True(sameGroupNearest >= 297, $"{sameGroupNearest} of 300 points have a nearest map neighbour from their own group");
        Assert.Equal(map, again);
        Assert.All(map, p => Assert.True(float.IsFinite(p.X) && float.IsFinite(p.Y)));
    }
}
