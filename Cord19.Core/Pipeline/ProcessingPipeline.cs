using System.Collections.Concurrent;
using System.Diagnostics;
using Cord19.Core.Insights;
using Cord19.Core.Numerics;
using Cord19.Core.Results;
using Cord19.Core.Settings;

namespace Cord19.Core.Pipeline;

/// <summary>
/// Phases 5 and 6: from a pre-processed corpus to a published run: sample, TF-IDF, PCA + k-means, LDA per
/// cluster, 2D map, then the result files.
/// </summary>
public sealed class ProcessingPipeline(PipelineSettings settings, IResultStore results, IStepRecorder steps)
{
    /// <summary>What a run of <paramref name="scope"/> reads of the corpus: the subset's sample, or everything (null).</summary>
    public static CorpusSample? SampleFor(string scope, PipelineSettings settings) =>
        scope == RunManifest.SubsetScope ? new CorpusSample(settings.SubsetSize, settings.Seed) : null;

    /// <param name="runId">The id to publish under (an Airflow run id, made safe for paths); a new one when null.</param>
    public async Task<RunManifest> RunAsync(Corpus corpus, string scope, DateTime now, string? runId = null)
    {
        var timings = new List<StepTiming>();
        async Task Timed(PipelineStep step, Func<CancellationToken, Task> body) =>
            await steps.StepAsync(step.Id, async ct =>
            {
                var watch = Stopwatch.StartNew();
                await body(ct);
                timings.Add(new StepTiming(step.Id, Math.Round(watch.Elapsed.TotalSeconds, 3)));
            });

        IReadOnlyList<CorpusDocument> documents = [];
        await Timed(PipelineDefinition.Sample, async _ =>
        {
            documents = SampleFor(scope, settings)?.Of(corpus.Documents) ?? corpus.Documents;
            if (documents.Count < settings.Clusters * 2)
                throw new InvalidDataException(
                    $"The corpus has {documents.Count} documents, too few for {settings.Clusters} clusters. " +
                    "Widen the publish-time window or choose a larger metadata file in Settings, then run pre-processing again.");
            await steps.LogAsync($"{documents.Count:N0} of {corpus.Manifest.DocumentsKept:N0} documents.");
        });

        TfIdf vocabulary = null!;
        SparseVector[] counts = [];
        SparseVector[] weights = [];
        await Timed(PipelineDefinition.Vectorise, async ct =>
        {
            vocabulary = TfIdf.Fit(documents.Select(d => d.Tokens).ToList(), corpus.Stems, settings.MaxFeatures);
            // Counts once per document: LDA, the term probabilities and the TF-IDF weights all start from them.
            counts = documents.AsParallel().AsOrdered().Select(d => vocabulary.Counts(d.Tokens)).ToArray();
            weights = counts.AsParallel().AsOrdered().Select(vocabulary.Weigh).ToArray();
            ct.ThrowIfCancellationRequested();
            await steps.LogAsync($"{vocabulary.Dimensions:N0} terms.");
        });

        DocumentClustering.Output clustering = null!;
        await Timed(PipelineDefinition.Cluster, async _ =>
        {
            clustering = DocumentClustering.Run(weights, vocabulary.Dimensions, settings.ReducedDimensions, settings.Clusters, settings.Seed);
            var sizes = Enumerable.Range(0, clustering.Clusters).Select(c => clustering.Assignments.Count(a => a == c));
            await steps.LogAsync($"Cluster sizes: {string.Join(", ", sizes)}.");
        });

        var topicResults = new List<TopicResult>();
        var topicStems = new List<IReadOnlyList<string>>();
        var topicDistributions = new List<TopicTerms>();
        var documentTopics = new Dictionary<int, float>[documents.Count];
        await Timed(PipelineDefinition.Topics, async ct =>
        {
            // The seed fits one LDA per cluster; the large preset one over every document.
            var groups = settings.GlobalTopics > 0
                ? [(Cluster: (int?)null, Members: Enumerable.Range(0, documents.Count).ToList(), Topics: settings.GlobalTopics)]
                : Enumerable.Range(0, clustering.Clusters).Select(c => (Cluster: (int?)c,
                    Members: Enumerable.Range(0, documents.Count).Where(i => clustering.Assignments[i] == c).ToList(), Topics: settings.TopicsPerCluster)).ToList();
            // Each model runs on one thread (identical topics run after run), so the clusters' models run side by
            // side, one per core, and are gathered in cluster order. The largest first, each handed out when a core
            // is free: started in cluster order, the largest model could begin last and run alone while the others idle.
            var models = new TopicModel.Output?[groups.Count];
            var largestFirst = Enumerable.Range(0, groups.Count).OrderByDescending(g => groups[g].Members.Count).ToList();
            Parallel.ForEach(Partitioner.Create(largestFirst, EnumerablePartitionerOptions.NoBuffering),
                ParallelWork.Options(ct), g =>
            {
                var memberCounts = groups[g].Members.Select(i => counts[i]).ToList();
                if (groups[g].Members.Count >= 2 && memberCounts.Any(v => v.Count > 0))
                    models[g] = TopicModel.Run(memberCounts, vocabulary.Dimensions, groups[g].Topics, settings.LdaIterations, settings.TopTerms, settings.Seed + (groups[g].Cluster ?? 0));
            });
            for (var g = 0; g < groups.Count; g++)
            {
                var (groupCluster, members, _) = groups[g];
                if (models[g] is not { } model)
                {
                    await steps.LogAsync($"Cluster {groupCluster}: {members.Count} document(s), too few for topics.");
                    continue;
                }
                for (var t = 0; t < model.Topics.Count; t++)
                {
                    var id = topicResults.Count;
                    var prevalence = model.DocumentWeights.Sum(w => (double)w[t]) / documents.Count;
                    var cluster = groupCluster ?? DominantCluster(model.DocumentWeights, t, members, clustering);
                    topicResults.Add(new TopicResult(id, cluster, model.Topics[t].TopTerms.Select(x => Term(corpus, vocabulary, x.Term, x.Weight)).ToList(), Math.Round(prevalence, 6)));
                    topicStems.Add(model.Topics[t].TopTerms.Select(x => vocabulary.Terms[x.Term]).ToList());
                    topicDistributions.Add(new TopicTerms(id, model.Topics[t].Distribution.Select(p => Math.Round(p, 7)).ToList()));
                    for (var m = 0; m < members.Count; m++)
                        (documentTopics[members[m]] ??= [])[id] = MathF.Round(model.DocumentWeights[m][t], 4);
                }
                await steps.LogAsync(groupCluster is { } c
                    ? $"Cluster {c}: {model.Topics.Count} topics over {members.Count:N0} documents."
                    : $"{model.Topics.Count} topics over all {members.Count:N0} documents.");
            }
        });

        (float X, float Y)[] map = [];
        var mapMethod = documents.Count <= Tsne.MaxPoints ? Tsne.Method : SampledTsne.Method;
        await Timed(PipelineDefinition.Map, async ct =>
        {
            // t-SNE keeps neighbourhoods; its exact neighbour search is quadratic, so larger runs embed a sample
            // and place the rest beside their nearest sampled neighbours; the manifest says which drew the map.
            map = mapMethod == Tsne.Method
                ? Tsne.Embed(clustering.Reduced, new Tsne.Options(), ct)
                : SampledTsne.Embed(clustering.Reduced, clustering.Assignments, settings.Seed, ct);
            await steps.LogAsync($"Map drawn with {mapMethod}.");
        });

        RunQuality? quality = null;
        await Timed(PipelineDefinition.Quality, async ct =>
        {
            quality = new RunQuality(
                Math.Round(QualityMetrics.Silhouette(clustering.Reduced, clustering.Assignments, sample: 5_000, settings.Seed), 4),
                Math.Round(QualityMetrics.UMassCoherence(topicStems, documents.Select(d => d.Tokens).ToList(), corpus.Stems), 4),
                Math.Round(QualityMetrics.NeighbourPreservation(clustering.Reduced, map, k: 10, sample: 1_000, settings.Seed), 4));
            ct.ThrowIfCancellationRequested();
            await steps.LogAsync($"Silhouette {quality.Silhouette:0.000}, topic coherence (UMass) {quality.Coherence:0.00}, map keeps {quality.NeighbourPreservation:P0} of 10 nearest neighbours.");
        });

        var manifest = new RunManifest(
            ResultSchema.Version,
            RunId: runId is { Length: > 0 } given ? SafeRunId(given) : $"{scope}-{now:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}",
            Scope: scope,
            CreatedAt: now,
            CorpusId: corpus.Manifest.CorpusId,
            Documents: documents.Count,
            Clusters: clustering.Clusters,
            Topics: topicResults.Count,
            MapMethod: mapMethod,
            Parameters: new Dictionary<string, object?>
            {
                ["clusters"] = settings.Clusters,
                ["topicsPerCluster"] = settings.GlobalTopics > 0 ? null : settings.TopicsPerCluster,
                ["globalTopics"] = settings.GlobalTopics > 0 ? settings.GlobalTopics : null,
                ["maxFeatures"] = settings.MaxFeatures,
                ["pcaDimensions"] = settings.ReducedDimensions,
                ["ldaIterations"] = settings.LdaIterations,
                ["seed"] = settings.Seed,
                ["subsetSize"] = scope == RunManifest.SubsetScope ? settings.SubsetSize : null,
            },
            Timings: timings,
            Quality: quality);

        await steps.StepAsync(PipelineDefinition.Publish.Id, async ct =>
        {
            var clusters = Enumerable.Range(0, clustering.Clusters)
                .Select(c => new ClusterResult(c, clustering.Assignments.Count(a => a == c), TopTerms(corpus, vocabulary, weights, clustering.Assignments, c)))
                .ToList();
            var docs = documents.Select((d, i) => new DocumentResult(d.Id, d.Title, d.Journal, d.PublishTime, d.Authors, d.Doi,
                clustering.Assignments[i], MathF.Round(map[i].X, 5), MathF.Round(map[i].Y, 5),
                documentTopics[i] ?? new Dictionary<int, float>())).ToList();
            var topicTerms = new TopicTermMatrix(
                vocabulary.Terms.Select(stem => corpus.Manifest.SurfaceForms.GetValueOrDefault(stem, stem)).ToList(),
                TermProbabilities(counts, vocabulary.Dimensions),
                topicDistributions);
            var topicDocuments = TopicDocuments.Compute(docs, TopicDocuments.PublishedTopCount).ToFile();
            await results.PublishRunAsync(new RunResult(manifest, clusters, topicResults, docs, topicTerms, AbstractsOf(corpus, documents, ct), topicDocuments), ct);
            await steps.LogAsync($"Published run {manifest.RunId} to {results.Location}.");
        });
        return manifest;
    }

    /// <summary>
    /// The run's abstracts, streamed from the corpus's: the run's documents are the corpus's in corpus order (all of
    /// them, or a sample kept in order), so one pass pairs them without holding the abstracts.
    /// </summary>
    private static async IAsyncEnumerable<DocumentAbstract> AbstractsOf(Corpus corpus, IReadOnlyList<CorpusDocument> run,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        int next = 0, index = 0;
        await foreach (var text in corpus.ReadAbstractsAsync(ct))
        {
            if (next < run.Count && index < corpus.Documents.Count && ReferenceEquals(corpus.Documents[index], run[next]))
                yield return new DocumentAbstract(run[next++].Id, text);
            index++;
        }
        if (next != run.Count)
            throw new InvalidDataException($"The corpus's abstracts ended after {index:N0} documents, before the run's {run.Count:N0} were all found: run pre-processing (phase 4) again.");
    }

    /// <summary>Each vocabulary term's share of all vocabulary tokens in the run: pyLDAvis' P(term).</summary>
    private static IReadOnlyList<double> TermProbabilities(IReadOnlyList<SparseVector> counts, int vocabulary)
    {
        var totals = new double[vocabulary];
        foreach (var c in counts)
            for (var e = 0; e < c.Count; e++) totals[c.Indices[e]] += c.Values[e];
        var sum = Math.Max(1, totals.Sum());
        return totals.Select(t => Math.Round(t / sum, 8)).ToList();
    }

    /// <summary>A cluster's top terms: the highest mean TF-IDF weights among its documents.</summary>
    private IReadOnlyList<TermWeight> TopTerms(Corpus corpus, TfIdf vocabulary, SparseVector[] weights, int[] assignments, int cluster)
    {
        var sum = new double[vocabulary.Dimensions];
        var n = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            if (assignments[i] != cluster) continue;
            n++;
            for (var e = 0; e < weights[i].Count; e++) sum[weights[i].Indices[e]] += weights[i].Values[e];
        }
        return Enumerable.Range(0, sum.Length)
            .OrderByDescending(j => sum[j]).ThenBy(j => j)
            .Take(settings.TopTerms)
            .Select(j => Term(corpus, vocabulary, j, sum[j] / Math.Max(1, n)))
            .ToList();
    }

    private static TermWeight Term(Corpus corpus, TfIdf vocabulary, int index, double weight)
    {
        var stem = vocabulary.Terms[index];
        return new TermWeight(corpus.Manifest.SurfaceForms.GetValueOrDefault(stem, stem), Math.Round(weight, 5));
    }

    /// <summary>A topic fitted over every document is filed under the cluster whose documents give it the most weight.</summary>
    private static int DominantCluster(IReadOnlyList<float[]> weights, int topic, List<int> members, DocumentClustering.Output clustering)
    {
        var totals = new double[clustering.Clusters];
        for (var m = 0; m < members.Count; m++) totals[clustering.Assignments[members[m]]] += weights[m][topic];
        return Array.IndexOf(totals, totals.Max());
    }

    /// <summary>Airflow's run ids hold ':' and '+' ("manual__2024-05-01T12:30:00+00:00"); result paths keep letters, digits, '.', '_' and '-'.</summary>
    public static string SafeRunId(string runId) =>
        new(runId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '-').ToArray());
}
