using Bunit;
using Cord19.Core.Results;
using Cord19.Tests.Support;
using Cord19.Web.Components.Pages;
using Cord19.Web.Model;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Vizor.ECharts;

namespace Cord19.Tests.Pages;

public sealed class ChartPageTests : ResultPageTestContext
{
    [Fact]
    public void Clusters_without_runs_says_how_to_make_one()
    {
        var page = Render<Clusters>();
        page.WaitForAssertion(() => Assert.Contains("run phase 5 or 6", page.Find("[data-testid=no-results]").TextContent), Patience);
    }

    [Fact]
    public void Clusters_lists_each_cluster_with_its_size_and_terms_and_counts_the_points()
    {
        Store.Runs.Add(SyntheticRun.Create("run-a", 1_200));
        var page = Render<Clusters>();

        page.WaitForAssertion(() => Assert.Contains("1,200 documents", page.Find("[data-testid=map-count]").TextContent), Patience);
        var table = page.Find("[data-testid=cluster-table]").TextContent;
        Assert.Contains("vaccine, covid", table);
        Assert.Contains("200", table);
        Assert.Single(page.FindComponents<EChart>());
    }

    [Fact]
    public async Task Clusters_draws_searches_and_opens_documents_without_reading_the_run_whole()
    {
        // A million documents take seconds to read whole; the page needs the map's points, their titles and one document.
        var run = SyntheticRun.Create("run-a", 1_200);
        Store.Runs.Add(run);
        Store.DocumentsHeld = new TaskCompletionSource();
        var page = Render<Clusters>();
        page.WaitForAssertion(() => Assert.Equal("1,200 documents", page.Find("[data-testid=map-count]").TextContent), Patience);

        page.Find("input[data-testid=map-search]").Input("paper 12");
        page.WaitForAssertion(() => Assert.Contains("matching titles", page.Find("[data-testid=map-count]").TextContent), Patience);
        await ClickAsync(page, run, 42);
        page.WaitForAssertion(() => Assert.Contains($"Synthetic abstract of {run.Documents[42].Title}", page.Find("[data-testid=document-details]").TextContent), Patience);

        Assert.Equal(0, Store.DocumentReads);
    }

    [Fact]
    public void The_map_s_clusters_share_one_canvas_however_many_points_they_hold()
    {
        var options = DocumentMapChart.Options("run-a", SyntheticRun.Create("run-a", 600).Clusters);
        var clusters = options.Series!.OfType<ScatterSeries>().ToList();
        Assert.NotEmpty(clusters);
        // Above its progressive threshold ECharts moves a series to a canvas of its own.
        Assert.All(clusters, s => Assert.True(s.ProgressiveThreshold >= Web.Model.DocumentMapPayload.DefaultLimit, $"{s.Id}: {s.ProgressiveThreshold}"));
        // The search's matches are rings drawn above by cord19Charts.showMatches, not a series: ECharts draws every
        // series again when one changes.
        Assert.Equal(options.Series!.Count, clusters.Count);
        Assert.All(clusters, s => Assert.Null(s.Zlevel));
        Assert.Null(options.Toolbox);
    }

    /// <summary>
    /// The pages may evaluate nothing (no 'unsafe-eval' in their Content-Security-Policy): every chart's options are JSON
    /// as Vizor sends them, and the charts that need a formatter name one that charts.js has.
    /// </summary>
    [Fact]
    public void Every_charts_options_are_JSON_that_name_their_formatters()
    {
        var run = SyntheticRun.Create("run-a", 300);
        var points = run.Topics.Select((t, i) => new Core.Insights.IntertopicMap.TopicPoint(t.Id, i, -i)).ToList();
        var terms = new[] { new Core.Insights.TopicRelevance.RankedTerm("virus", 1, 0.1, 0.05, 0.02) };
        var charts = new Dictionary<string, Vizor.ECharts.ChartOptions>
        {
            ["document map"] = DocumentMapChart.Options("run/a b", run.Clusters),
            ["intertopic map"] = TopicCharts.IntertopicMap(run, points, run.Topics.ToDictionary(t => t.Id, t => $"<b>{t.Id}</b>"), run.Topics[0].Id),
            ["terms"] = TopicCharts.Terms(terms),
            ["timeline"] = TopicCharts.Timeline([new Core.Insights.TopicDocuments.Month(new DateOnly(2020, 3, 1), 4, 0.2)]),
        };
        var chartsJs = File.ReadAllText(Path.Combine(RunningApp.RepositoryRoot(), "Cord19.Web", "wwwroot", "js", "charts.js"));

        foreach (var (name, options) in charts)
        {
            var text = ChartOptionsScript.Of(options);
            using var json = System.Text.Json.JsonDocument.Parse(text); // throws on JavaScript
            foreach (var formatter in Formatters(json.RootElement))
                Assert.Matches(@"^cord19:(topicNumber|topicTooltip|percent|mapTooltip:[\w-]+:[^:]+)$", formatter);
            Assert.DoesNotContain("function", text);
        }
        Assert.Contains("formatter\":\"cord19:mapTooltip:document-map:run%2Fa%20b\"", ChartOptionsScript.Of(charts["document map"]));
        foreach (var name in new[] { "topicNumber", "topicTooltip", "percent", "mapTooltip" })
            Assert.Contains($"        {name}: (", chartsJs);
    }

    private static IEnumerable<string> Formatters(System.Text.Json.JsonElement e) => e.ValueKind switch
    {
        System.Text.Json.JsonValueKind.Object => e.EnumerateObject().SelectMany(p =>
            p.Name == "formatter" && p.Value.ValueKind == System.Text.Json.JsonValueKind.String ? [p.Value.GetString()!] : Formatters(p.Value)),
        System.Text.Json.JsonValueKind.Array => e.EnumerateArray().SelectMany(Formatters),
        _ => [],
    };

    [Fact]
    public void Clusters_labels_a_sample_honestly()
    {
        Store.Runs.Add(SyntheticRun.Create("run-a", 1_200));
        var navigation = Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        navigation.NavigateTo("clusters?limit=500");
        var page = Render<Clusters>();
        page.WaitForAssertion(() => Assert.Contains("showing 500 of 1,200 documents", page.Find("[data-testid=map-count]").TextContent), Patience);
    }

    [Fact]
    public async Task Clicking_a_point_opens_its_abstract_and_DOI()
    {
        var run = SyntheticRun.Create("run-a", 300);
        Store.Runs.Add(run);
        var page = Render<Clusters>();
        page.WaitForElement("[data-testid=cluster-table]", Patience);
        var doc = run.Documents[42];

        await ClickAsync(page, run, 42);

        page.WaitForAssertion(() => Assert.Contains($"Synthetic abstract of {doc.Title}", page.Find("[data-testid=document-details]").TextContent), Patience);
        Assert.Contains(doc.Title!, page.Find("[data-testid=document-details]").TextContent);
        Assert.Equal($"https://doi.org/{doc.Doi}", page.Find("[data-testid=doi-link]").GetAttribute("href"));
    }

    [Fact]
    public async Task The_last_point_clicked_is_the_one_shown_whichever_abstract_arrives_first()
    {
        var run = SyntheticRun.Create("run-a", 300);
        Store.Runs.Add(run);
        var (earlier, later) = (run.Documents[42], run.Documents[7]);
        Store.AbstractsHeld[earlier.Id] = new TaskCompletionSource();
        Store.AbstractsHeld[later.Id] = new TaskCompletionSource();
        var page = Render<Clusters>();
        page.WaitForElement("[data-testid=cluster-table]", Patience);
        string Details() => page.Find("[data-testid=document-details]").TextContent;

        // Each click's handler waits for its abstract, so neither is awaited until the abstracts are let through.
        var first = ClickAsync(page, run, 42);
        page.WaitForAssertion(() => Assert.Contains("Reading the abstract…", Details()), Patience);
        var second = ClickAsync(page, run, 7);
        page.WaitForAssertion(() => Assert.Contains(later.Title!, Details()), Patience);
        Store.AbstractsHeld[later.Id].SetResult();
        page.WaitForAssertion(() => Assert.Contains($"Synthetic abstract of {later.Title}.", Details()), Patience);
        Store.AbstractsHeld[earlier.Id].SetResult();
        await Task.WhenAll(first, second);

        Assert.Contains($"Synthetic abstract of {later.Title}.", Details());
        Assert.DoesNotContain($"Synthetic abstract of {earlier.Title}.", Details());
    }

    /// <summary>A click names the point by its series and its place in it, as ECharts does for typed-array data.</summary>
    private static Task ClickAsync(IRenderedComponent<Clusters> page, RunResult run, int document)
    {
        var shown = Web.Model.DocumentMapPayload.Build(run);
        var series = shown.Clusters.ToList().FindIndex(c => c.Documents.Contains(document));
        var doc = run.Documents[document];
        return page.InvokeAsync(() => page.FindComponent<EChart>().Instance.OnChartClick.InvokeAsync(
            new EventParams { SeriesIndex = series, DataIndex = Array.IndexOf(shown.Clusters[series].Documents, document), Value = new NumberOrNumberArray([doc.X, doc.Y]) }));
    }

    [Fact]
    public void Focusing_the_search_reads_the_titles_ahead_once()
    {
        Store.Runs.Add(SyntheticRun.Create("run-a", 300));
        var page = Render<Clusters>();
        page.WaitForElement("[data-testid=cluster-table]", Patience);
        Assert.Equal(0, Store.TitleReads);

        page.Find("input[data-testid=map-search]").FocusIn();
        page.WaitForAssertion(() => Assert.Equal(1, Store.TitleReads), Patience);
        page.Find("input[data-testid=map-search]").Input("paper 12");

        page.WaitForAssertion(() => Assert.Contains("11 matching titles", page.Find("[data-testid=map-count]").TextContent), Patience);
        Assert.Equal(1, Store.TitleReads);
    }

    [Fact]
    public void A_map_image_the_browser_cannot_draw_is_named_and_the_page_keeps_its_map()
    {
        Store.Runs.Add(SyntheticRun.Create("run-a", 300));
        JSInterop.SetupVoid("cord19Charts.saveImage", _ => true).SetException(new Microsoft.JSInterop.JSException("Error: the map's copy was not drawn within 30000 ms"));
        var snackbars = RenderSnackbars();
        var page = Render<Clusters>();
        page.WaitForElement("[data-testid=cluster-table]", Patience);

        page.Find("[data-testid=map-save-image]").Click();

        snackbars.WaitForAssertion(() => Assert.Contains("The browser could not draw the map's image", snackbars.Markup), Patience);
        Assert.DoesNotContain("30000", snackbars.Markup);
        Assert.False(page.Find("[data-testid=map-save-image]").HasAttribute("disabled"));
        Assert.Empty(page.FindAll("[data-testid=page-error]"));
        Assert.NotNull(page.Find("#document-map"));
    }

    [Fact]
    public void Saving_the_map_disables_its_button_until_the_browser_has_drawn_the_image()
    {
        Store.Runs.Add(SyntheticRun.Create("run-a", 300));
        var drawing = JSInterop.SetupVoid("cord19Charts.saveImage", _ => true);
        var page = Render<Clusters>();
        page.WaitForElement("[data-testid=cluster-table]", Patience);

        page.Find("[data-testid=map-save-image]").Click();

        page.WaitForAssertion(() => Assert.True(page.Find("[data-testid=map-save-image]").HasAttribute("disabled")), Patience);
        Assert.Equal("document-map-run-a.png", JSInterop.VerifyInvoke("cord19Charts.saveImage").Arguments[1]);
        drawing.SetVoidResult();
        page.WaitForAssertion(() => Assert.False(page.Find("[data-testid=map-save-image]").HasAttribute("disabled")), Patience);
    }

    [Fact]
    public void Searching_highlights_the_matching_titles_in_the_chart()
    {
        Store.Runs.Add(SyntheticRun.Create("run-a", 300));
        var page = Render<Clusters>();
        page.WaitForElement("[data-testid=cluster-table]", Patience);

        page.Find("input[data-testid=map-search]").Input("paper 12");

        page.WaitForAssertion(() => Assert.Contains("11 matching titles", page.Find("[data-testid=map-count]").TextContent), Patience);
        var call = JSInterop.VerifyInvoke("cord19Charts.showMatches");
        Assert.Equal(DocumentMapChart.ChartId, call.Arguments[0]);
        // One bit a point of the browser's loaded map, its clusters' points one after another (a cluster hidden from the
        // legend hides its matches): set for the points whose titles match.
        var bits = new System.Collections.BitArray(Assert.IsType<byte[]>(call.Arguments[1]));
        var shown = Web.Model.DocumentMapPayload.Build(Store.Runs[0]);
        var points = shown.Clusters.SelectMany(c => c.Documents).ToList();
        Assert.Equal((points.Count + 7) / 8 * 8, bits.Length);
        var expected = points.Select((d, point) => (d, point))
            .Where(p => Store.Runs[0].Documents[p.d].Title?.Contains("paper 12", StringComparison.OrdinalIgnoreCase) == true)
            .Select(p => p.point);
        Assert.Equal(expected, Enumerable.Range(0, bits.Length).Where(i => bits[i]));
        Assert.Equal(11, expected.Count());
    }

    [Fact]
    public async Task A_sampled_map_s_search_covers_the_whole_run_and_lists_what_the_sample_left_out()
    {
        var run = SyntheticRun.Create("run-a", 1_200);
        Store.Runs.Add(run);
        Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo("clusters?limit=500");
        var page = Render<Clusters>();
        page.WaitForElement("[data-testid=cluster-table]", Patience);

        page.Find("input[data-testid=map-search]").Input("paper 11");

        // "paper 11", "paper 110"-"paper 119" and "paper 1100"-"paper 1199": 111 in the run, some of them in the sample.
        var shown = Web.Model.DocumentMapPayload.Build(run, 500);
        var matching = Enumerable.Range(0, run.Documents.Count).Where(i => run.Documents[i].Title!.Contains("paper 11")).ToList();
        var inSample = matching.Count(shown.Shows);
        Assert.InRange(inSample, 1, matching.Count - 11);
        page.WaitForAssertion(() => Assert.Contains($"111 matching titles, {inSample} of them in the sample", page.Find("[data-testid=map-count]").TextContent), Patience);
        var bits = new System.Collections.BitArray(Assert.IsType<byte[]>(JSInterop.VerifyInvoke("cord19Charts.showMatches").Arguments[1]));
        Assert.Equal(inSample, bits.Cast<bool>().Count(set => set));
        var listed = page.Find("[data-testid=matches-beyond-sample]");
        var left = matching.Where(d => !shown.Shows(d)).ToList();
        Assert.Contains($"The first 10 of {left.Count}", listed.TextContent);
        var buttons = listed.QuerySelectorAll("button");
        Assert.Equal(left.Take(10).Select(d => $"{run.Documents[d].Title} · cluster {run.Documents[d].Cluster}"), buttons.Select(b => b.TextContent.Trim()));

        // One the sample left out opens as a point would.
        await buttons[3].ClickAsync(new Microsoft.AspNetCore.Components.Web.MouseEventArgs());
        var opened = run.Documents[left[3]];
        page.WaitForAssertion(() => Assert.Contains($"Synthetic abstract of {opened.Title}.", page.Find("[data-testid=document-details]").TextContent), Patience);
    }

    [Theory]
    [InlineData("nan", "not numbers (NaN or infinite)")]
    [InlineData("empty", "has no documents")]
    public void A_run_that_cannot_be_drawn_names_the_file_and_the_problem(string kind, string expected)
    {
        var run = SyntheticRun.Create("broken", 50);
        run = kind == "nan"
            ? run with { Documents = run.Documents.Select((d, i) => i == 3 ? d with { X = float.NaN } : d).ToList() }
            : run with { Documents = [] };
        Store.Runs.Add(run);

        var page = Render<Clusters>();

        page.WaitForAssertion(() =>
        {
            var problem = page.Find("[data-testid=result-problem]").TextContent;
            Assert.Contains("runs/broken/documents.jsonl", problem);
            Assert.Contains(expected, problem);
        }, Patience);
        Assert.Empty(page.FindComponents<EChart>());
    }

    [Fact]
    public void Topics_ranks_terms_by_relevance_and_lambda_changes_the_ranking()
    {
        Store.Runs.Add(SyntheticRun.Create("run-a", 600));
        var page = Render<Topics>();
        page.WaitForAssertion(() => Assert.Contains("λ = 0.60", page.Find("[data-testid=lambda-value]").TextContent), Patience);
        var atDefault = page.Find("[data-testid=relevance-terms]").TextContent;
        var updatesBefore = JSInterop.Invocations["vizorECharts.updateChart"].Count;

        page.InvokeAsync(() => page.FindComponent<MudSlider<double>>().Instance.ValueChanged.InvokeAsync(1.0));

        page.WaitForAssertion(() => Assert.Contains("λ = 1.00", page.Find("[data-testid=lambda-value]").TextContent), Patience);
        Assert.NotEqual(atDefault, page.Find("[data-testid=relevance-terms]").TextContent);
        // Only the terms chart: λ does not change the topic's circles, timeline or documents.
        var updated = JSInterop.Invocations["vizorECharts.updateChart"].Skip(updatesBefore).Select(i => i.Arguments[0]).ToList();
        Assert.Equal([TopicCharts.TermsId], updated);
        // The documents were read once, for every topic's timeline and top documents, which the run cache keeps.
        Assert.Equal(1, Store.DocumentReads);
        Assert.Contains("Synthetic paper", page.Find("[data-testid=top-documents]").TextContent);
        Assert.Equal(3, page.FindComponents<EChart>().Count);
    }

    [Fact]
    public async Task Clicking_a_topic_circle_selects_that_topic()
    {
        Store.Runs.Add(SyntheticRun.Create("run-a", 600));
        var page = Render<Topics>();
        page.WaitForElement("[data-testid=top-documents]", Patience);
        var map = page.FindComponents<EChart>().Single(c => c.Instance.Id == "intertopic-map");

        await page.InvokeAsync(() => map.Instance.OnChartClick.InvokeAsync(new EventParams { Value = new NumberOrNumberArray([0, 0, 0.1, 7]) }));

        page.WaitForAssertion(() => Assert.Contains("Top documents of topic 7", page.Markup), Patience);
        Assert.Contains("on protein", page.Find("[data-testid=top-documents]").TextContent);
        var highlighted = map.Instance.Options!.Series!.Cast<ScatterSeries>().SelectMany(s => ((IEnumerable<object>)s.Data!).Cast<ScatterSeriesData>())
            .Where(d => d.ItemStyle == TopicCharts.SelectedCircle).ToList();
        Assert.Equal(7, (int)Assert.Single(highlighted).Value![3]);
    }

    [Fact]
    public void Topics_shows_its_topics_while_the_documents_are_read_then_their_timeline_and_top_documents()
    {
        Store.Runs.Add(SyntheticRun.Create("run-a", 600));
        Store.DocumentsHeld = new TaskCompletionSource();
        var page = Render<Topics>();

        page.WaitForAssertion(() => Assert.Contains("λ = 0.60", page.Find("[data-testid=lambda-value]").TextContent), Patience);
        Assert.Equal([TopicCharts.MapId, TopicCharts.TermsId], page.FindComponents<EChart>().Select(c => c.Instance.Id));
        Assert.All(page.FindAll("[data-testid=documents-pending]"), p => Assert.Contains("Reading the run's 600 documents", p.TextContent));
        Assert.Equal(2, page.FindAll("[data-testid=documents-pending]").Count);
        // Named for screen readers (axe's aria-progressbar-name).
        Assert.Equal(["Reading the documents for the timeline", "Reading the documents for the top documents"],
            page.FindAll("[data-testid=documents-pending] [role=progressbar]").Select(p => p.GetAttribute("aria-label")));

        Store.DocumentsHeld.SetResult();

        page.WaitForAssertion(() => Assert.Contains("Synthetic paper", page.Find("[data-testid=top-documents]").TextContent), Patience);
        Assert.Empty(page.FindAll("[data-testid=documents-pending]"));
        Assert.Contains(TopicCharts.TimelineId, page.FindComponents<EChart>().Select(c => c.Instance.Id));
    }

    [Fact]
    public void Topics_of_a_run_published_with_its_topic_documents_reads_none_of_its_documents()
    {
        var run = SyntheticRun.Create("run-a", 600);
        Store.Runs.Add(run with { TopicDocuments = Core.Insights.TopicDocuments.Compute(run.Documents, 10).ToFile() });
        Store.DocumentsHeld = new TaskCompletionSource();
        var page = Render<Topics>();

        page.WaitForAssertion(() => Assert.Contains("Synthetic paper", page.Find("[data-testid=top-documents]").TextContent), Patience);
        Assert.Equal(0, Store.DocumentReads);
        Assert.Equal(3, page.FindComponents<EChart>().Count);
    }

    [Fact]
    public void Topics_whose_documents_cannot_be_read_keeps_its_topics_and_names_the_file()
    {
        Store.Runs.Add(SyntheticRun.Create("run-a", 60));
        Store.Broken["run-a"] = new ResultFileException("runs/run-a/documents.jsonl", "line 3 is not valid JSON (…).");
        var page = Render<Topics>();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=documents-problem]").Count), Patience);
        Assert.All(page.FindAll("[data-testid=documents-problem]"), p => Assert.Contains("runs/run-a/documents.jsonl: line 3", p.TextContent));
        Assert.Equal([TopicCharts.MapId, TopicCharts.TermsId], page.FindComponents<EChart>().Select(c => c.Instance.Id));
    }

    [Fact]
    public void Topics_without_topic_distributions_names_the_missing_file()
    {
        Store.Runs.Add(SyntheticRun.Create("old-run", 100) with { TopicTerms = null });
        var page = Render<Topics>();
        page.WaitForAssertion(() => Assert.Contains("runs/old-run/topic-terms.json", page.Find("[data-testid=result-problem]").TextContent), Patience);
    }

    [Fact]
    public void Compare_pairs_clusters_by_their_terms()
    {
        var subset = SyntheticRun.Create("subset-1", 300, clusters: 3);
        var full = SyntheticRun.Create("full-1", 600, clusters: 4);
        Store.Runs.Add(subset with { Manifest = subset.Manifest with { Scope = RunManifest.SubsetScope, CreatedAt = DateTime.UtcNow.AddMinutes(-5) } });
        Store.Runs.Add(full);

        var page = Render<Compare>();

        page.WaitForAssertion(() =>
        {
            var rows = page.FindAll("[data-testid=comparison] tbody tr");
            Assert.Equal(4, rows.Count);
            Assert.Contains(rows, r => r.TextContent.Contains("vaccine, covid") && r.TextContent.Contains("1.00"));
            Assert.Contains(rows, r => r.TextContent.Contains("no match") && r.TextContent.Contains("protein"));
        }, Patience);
        var sankey = (SankeySeries)page.FindComponents<EChart>().Single(c => c.Instance.Id == ComparisonCharts.PairingId).Instance.Options!.Series!.Single();
        Assert.Equal(3 + 4, ((IEnumerable<object>)sankey.Data!).Count());
        var links = ((IEnumerable<object>)sankey.Links!).Cast<SankeySeriesLink>().ToList();
        Assert.Equal(3, links.Count);
        Assert.Contains(links, l => l.EdgeLabel!.Formatter!.Value == "1.00");
        Assert.Equal(0, Store.DocumentReads);
    }

    [Fact]
    public void Compare_needs_two_runs()
    {
        Store.Runs.Add(SyntheticRun.Create("only", 100));
        var page = Render<Compare>();
        page.WaitForElement("[data-testid=need-two-runs]", Patience);
    }
}
