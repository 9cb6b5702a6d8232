using Cord19.Core.Results;
using Cord19.Web.Model;

namespace Cord19.Tests.Model;

/// <summary>Which documents a sampled map shows, and how the page asks whether it shows one.</summary>
public sealed class DocumentMapSampleTests
{
    private sealed record Point(string Id, int Cluster, float X, float Y) : IDocumentPoint;

    [Fact]
    public void A_sample_is_spread_over_the_whole_run_and_the_same_at_every_reload()
    {
        var sample = DocumentMapPayload.Sample(total: 10_000, limit: 500)!;

        Assert.Equal(500, sample.Distinct().Count());
        Assert.Equal(sample.Order(), sample);
        // The first 500 documents (one end of the run's order) would be a biased map, not a sample.
        Assert.True(sample[^1] > 9_000 && sample[0] < 500, $"from {sample[0]} to {sample[^1]}");
        Assert.Equal(sample, DocumentMapPayload.Sample(10_000, 500));
        Assert.Null(DocumentMapPayload.Sample(total: 500, limit: 500));
    }

    [Fact]
    public void The_map_shows_each_clusters_first_document_and_only_those_sampled()
    {
        var clusters = new List<ClusterResult> { new(0, 2, []), new(1, 2, []) };
        int[] positions = [0, 3, 5];
        var payload = DocumentMapPayload.Build("r", clusters, total: 6, positions,
            [new Point("a", 0, 0, 0), new Point("b", 1, 1, 1), new Point("c", 1, 2, 2)]);

        Assert.True(payload.Shows(0));
        Assert.True(payload.Shows(3));
        Assert.True(payload.Shows(5));
        Assert.False(payload.Shows(1));
        Assert.False(payload.Shows(4));
    }
}
