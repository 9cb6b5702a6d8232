using Cord19.Core.Insights;
using Cord19.Core.Pipeline;
using Cord19.Core.Results;
using Cord19.Core.Settings;
using Cord19.Tests.Support;

namespace Cord19.Tests.Pipeline;

public sealed class ProcessingPipelineTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Subset_run_on_the_shipped_sample_gives_k_non_empty_clusters_distinct_topics_and_every_document_placed()
    {
        var corpus = (await SampleCorpus.GetAsync()).AsCorpus();
        var settings = new PipelineSettings();
        var store = new ResultStore(new LocalFolderObjectStore(_dir.Path));

        var manifest = await new ProcessingPipeline(settings, store, new UnrecordedSteps())
            .RunAsync(corpus, RunManifest.SubsetScope, DateTime.UtcNow);
        var run = await store.LoadRunAsync(manifest.RunId, CancellationToken.None);

        Assert.Equal(settings.SubsetSize, run.Documents.Count);
        Assert.Equal(settings.Clusters, run.Clusters.Count);
        Assert.All(run.Clusters, c => Assert.True(c.Size > 0, $"cluster {c.Id} is empty"));
        Assert.Equal(run.Documents.Count, run.Clusters.Sum(c => c.Size));
        Assert.All(run.Documents, d => Assert.InRange(d.Cluster, 0, settings.Clusters - 1));
        Assert.All(run.Documents, d => Assert.True(float.IsFinite(d.X) && float.IsFinite(d.Y)));
        Assert.Equal(settings.Clusters * settings.TopicsPerCluster, run.Topics.Count);
        foreach (var cluster in run.Topics.GroupBy(t => t.Cluster))
        {
            var topWords = cluster.Select(t => string.Join(",", t.TopTerms.Take(5).Select(x => x.Term))).ToList();
            Assert.Equal(topWords.Count, topWords.Distinct().Count());
        }
        Assert.All(run.Documents, d => Assert.Equal(settings.TopicsPerCluster, d.TopicWeights.Count));
        Assert.Contains(run.Clusters.SelectMany(c => c.TopTerms), t => t.Term.StartsWith("covid", StringComparison.Ordinal));
        // Each topic's timeline and top documents are published with the run, as the documents give them.
        var published = await store.LoadTopicDocumentsAsync(manifest.RunId, default);
        Assert.Equal(TopicDocuments.Compute(run.Documents, TopicDocuments.PublishedTopCount).ToFile().Topics.Select(t => (t.Id, string.Join(",", t.Top.Select(d => d.Id)))),
            published!.Topics.Select(t => (t.Id, string.Join(",", t.Top.Select(d => d.Id)))));

        var quality = run.Manifest.Quality!;
        Figures.Report($"quality on the shipped sample ({settings.SubsetSize:N0}-document subset, k={settings.Clusters}): " +
                       $"silhouette {quality.Silhouette:0.000}, UMass coherence {quality.Coherence:0.00}, map ({run.Manifest.MapMethod}) keeps {quality.NeighbourPreservation:P0} of 10 nearest neighbours; " +
                       string.Join(", ", run.Manifest.Timings.Select(t => $"{t.Step} {t.Seconds:0.0} s")));
        Assert.Equal("tsne", run.Manifest.MapMethod);
        Assert.InRange(quality.Silhouette, 0.0, 1.0);
        Assert.True(quality.Coherence < 0, "UMass coherence is a mean of logs of ratios below 1");
        Assert.InRange(quality.NeighbourPreservation, 0.25, 1.0);
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_clusters()
    {
        var corpus = (await SampleCorpus.GetAsync()).AsCorpus();
        var settings = new PipelineSettings { SubsetSize = 400, LdaIterations = 20 };
        var store = new ResultStore(new LocalFolderObjectStore(_dir.Path));
        var pipeline = new ProcessingPipeline(settings, store, new UnrecordedSteps());

        var first = await store.LoadRunAsync((await pipeline.RunAsync(corpus, RunManifest.SubsetScope, DateTime.UtcNow)).RunId, default);
        var second = await store.LoadRunAsync((await pipeline.RunAsync(corpus, RunManifest.SubsetScope, DateTime.UtcNow)).RunId, default);

        Assert.Equal(first.Documents.Select(d => (d.Id, d.Cluster)), second.Documents.Select(d => (d.Id, d.Cluster)));
        Assert.Equal(first.Topics.Select(t => t.TopTerms[0].Term), second.Topics.Select(t => t.TopTerms[0].Term));
    }

    [Fact]
    public async Task Global_topics_are_fitted_once_over_every_document_and_filed_under_clusters()
    {
        var corpus = (await SampleCorpus.GetAsync()).AsCorpus();
        var settings = Presets.Apply(new PipelineSettings { SubsetSize = 600, LdaIterations = 20 }, Presets.Large) with { Clusters = 5, GlobalTopics = 7 };
        var store = new ResultStore(new LocalFolderObjectStore(_dir.Path));

        var manifest = await new ProcessingPipeline(settings, store, new UnrecordedSteps()).RunAsync(corpus, RunManifest.SubsetScope, DateTime.UtcNow);
        var run = await store.LoadRunAsync(manifest.RunId, default);

        Assert.Equal(7, run.Topics.Count);
        Assert.Equal(Enumerable.Range(0, 7), run.Topics.Select(t => t.Id));
        Assert.All(run.Topics, t => Assert.InRange(t.Cluster, 0, 4));
        Assert.All(run.Documents, d => Assert.Equal(7, d.TopicWeights.Count));
        Assert.Equal(7, manifest.Parameters["globalTopics"]);
        Assert.Null(manifest.Parameters["topicsPerCluster"]);
    }

    [Fact]
    public void The_large_preset_changes_only_pipeline_parameters()
    {
        var mine = new PipelineSettings { MetadataPath = null, BudgetCapUsd = 2, Seed = 9 };
        var large = Presets.Apply(mine, Presets.Large);
        Assert.Equal((20, 20, 4_096), (large.Clusters, large.GlobalTopics, large.MaxFeatures));
        Assert.Equal((2m, 9), (large.BudgetCapUsd!.Value, large.Seed));
        Assert.Empty(large.Validate());
        Assert.Equal(new PipelineSettings().Clusters, Presets.Apply(large, Presets.Seed).Clusters);
        Assert.Equal(0, Presets.Apply(large, Presets.Seed).GlobalTopics);
        Assert.Throws<ArgumentException>(() => Presets.Named("huge"));
    }

    public void Dispose() => _dir.Dispose();
}
