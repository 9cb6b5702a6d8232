using Microsoft.Extensions.DependencyInjection;
using System.IO.Compression;
using Cord19.Core.Deployments;
using Cord19.Core.Phases;
using Cord19.Core.Settings;
using Cord19.Tests.Support;

namespace Cord19.Tests.Targets;

public sealed class LocalTargetTests
{
    [Fact]
    public async Task The_seven_phases_run_end_to_end_on_the_shipped_sample_and_deallocation_keeps_the_results()
    {
        await using var h = await CoreHarness.StartAsync();
        await h.Settings.SaveAsync(new PipelineSettings { SubsetSize = 300, LdaIterations = 20 });

        for (var phase = 1; phase <= 6; phase++)
        {
            var state = await h.RunAsync(phase);
            Assert.True(state.Status == PhaseStatus.Succeeded, $"phase {phase}: {state.LatestRun?.Reason}\n{await h.LogTextAsync(state)}");
        }

        var snapshot = await h.Store.GetSnapshotAsync();
        Assert.Contains(snapshot.Resources, r => r.Kind == "duckdb-database" && File.Exists(r.Locator));
        Assert.Contains("Kept", await h.LogTextAsync(snapshot[4]));
        var runs = (await h.Results.ListRunsAsync(default)).Runs;
        Assert.Equal(["full", "subset"], runs.Select(r => r.Scope).Order());
        Assert.Equal(300, runs.Single(r => r.Scope == "subset").Documents);
        // The corpus in memory holds no abstracts; each run's abstracts are streamed from the corpus file, matched by position.
        var corpus = (await h.Results.LoadLatestCorpusAsync(null, default))!;
        Assert.All(corpus.Documents, d => Assert.Equal("", d.Abstract));
        var byId = corpus.Documents.Select(d => d.Id).Zip(await corpus.ReadAbstractsAsync(default).ToListAsync()).ToDictionary(p => p.First, p => p.Second);
        foreach (var run in runs)
        {
            var documents = (await h.Results.LoadRunAsync(run.RunId, default)).Documents;
            Assert.Equal(run.Documents, documents.Count);
            for (var i = 0; i < documents.Count; i++)
                Assert.Equal(byId[documents[i].Id], await h.Results.LoadAbstractAsync(run.RunId, i, documents[i].Id, default));
            Assert.All(byId.Values, a => Assert.False(string.IsNullOrWhiteSpace(a)));
        }

        var plan = (await h.Services.GetRequiredService<Cord19.Core.Execution.DeallocationPlanner>().PlanAsync(default))!;
        var deallocation = await h.RunAsync(7);

        Assert.Equal(PhaseStatus.Succeeded, deallocation.Status);
        // The dry run lists what phase 7 then deleted, in the order it deleted it.
        var deleted = (await h.Store.GetLogAsync(deallocation.LatestRun!.Id)).Where(l => l.Message.StartsWith("Deleted ")).Select(l => l.Message).ToList();
        Assert.Equal(plan.Items.Select(i => $"Deleted {i.Kind}: {i.Locator}."), deleted);
        Assert.Null(plan.ConfirmationWord);
        // A local plan names no AWS region (Settings have one whatever the target).
        Assert.Equal((DeploymentTarget.Local, null), (plan.Target, plan.Region));
        Assert.False(Directory.Exists(h.Data.Workspace));
        Assert.All((await h.Store.GetSnapshotAsync()).Resources, r => Assert.NotNull(r.DeletedAt));
        Assert.Equal(2, (await h.Results.ListRunsAsync(default)).Runs.Count);
    }

    [Fact]
    public async Task Processing_the_whole_corpus_is_forecast_from_the_subset_run_and_refused_when_memory_is_short()
    {
        long available = 100_000_000;
        await using var h = await CoreHarness.StartAsync(configure: s =>
            s.AddSingleton(sp => new Cord19.Core.Execution.ProcessingEstimator(sp.GetRequiredService<Cord19.Core.Results.IResultStore>(), () => available)));
        await h.Settings.SaveAsync(new PipelineSettings { SubsetSize = 300, LdaIterations = 20 });
        for (var phase = 1; phase <= 5; phase++) Assert.Equal(PhaseStatus.Succeeded, (await h.RunAsync(phase)).Status);

        var forecast = (await h.Services.GetRequiredService<Cord19.Core.Execution.ProcessingEstimator>().ForecastAsync(default))!;
        var corpus = (await h.Results.LoadLatestCorpusManifestAsync(default))!;
        Assert.Equal((corpus.DocumentsKept, 300), (forecast.Estimate.Documents, forecast.Estimate.MeasuredDocuments));
        Assert.Equal(["sample", "tfidf", "cluster", "topics", "map", "quality"], forecast.Estimate.Steps.Select(s => s.Id));
        Assert.Equal(200_000_000 + corpus.DocumentsKept * 3_900L, forecast.Estimate.PeakBytes);

        var refused = await h.Phases.RequestAsync(new Cord19.Core.Deployments.RunRequest(6));
        Assert.False(refused.Accepted);
        Assert.Equal($"Processing the whole corpus needs about {forecast.Estimate.PeakBytes / 1e9:0.0} GB of memory for {corpus.DocumentsKept:N0} documents " +
                     "and this machine has 0.1 GB available. Close other programs, use a machine with more memory, or keep fewer documents " +
                     "(a narrower publish-time window in Settings, then phases 2 and 4 again); phase 5 still runs on a subset.", refused.Refusal);
        // As the refusal says: the subset still runs.
        Assert.Equal(PhaseStatus.Succeeded, (await h.RunAsync(5)).Status);

        available = 64_000_000_000;
        Assert.Equal(PhaseStatus.Succeeded, (await h.RunAsync(6)).Status);
    }

    [Fact]
    public async Task Cancelling_a_processing_phase_stops_its_pipeline_program()
    {
        await using var h = await CoreHarness.StartAsync();
        // Enough sweeps that the topics step lasts a few seconds.
        await h.Settings.SaveAsync(new PipelineSettings { SubsetSize = 200, LdaIterations = 2_000 });
        for (var phase = 1; phase <= 5; phase++) Assert.Equal(PhaseStatus.Succeeded, (await h.RunAsync(phase)).Status);

        var outcome = await h.Phases.RequestAsync(new Cord19.Core.Deployments.RunRequest(6));
        Assert.True(outcome.Accepted, outcome.Refusal);
        var run = outcome.Run!;
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!(await h.Store.GetLogAsync(run.Id)).Any(l => l is { Step: "topics", Message: "Started." }) && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.NotEmpty(PipelinePrograms.Running(h.Data.Root));
        Assert.True(h.Services.GetRequiredService<Cord19.Core.Execution.RunCancellations>().Cancel(run.Id));
        await h.Scheduler.WaitAsync(run.Id);

        var state = (await h.Store.GetSnapshotAsync())[6];
        Assert.Equal(PhaseStatus.Interrupted, state.Status);
        Assert.Equal("Cancelled.", state.LatestRun!.Reason);
        // Killed; and were the kill missed, the program would stop as its input closes with the panel's end of it.
        Assert.Empty(await PipelinePrograms.StillRunningAfterAsync(h.Data.Root, TimeSpan.FromSeconds(2)));
        Assert.DoesNotContain(await h.Store.GetLogAsync(run.Id), l => l.Step == "publish");
    }

    [Fact]
    public async Task Deallocation_deletes_the_results_when_asked()
    {
        await using var h = await CoreHarness.StartAsync();
        await h.Settings.SaveAsync(new PipelineSettings { SubsetSize = 200, LdaIterations = 10 });
        for (var phase = 1; phase <= 5; phase++) await h.RunAsync(phase);
        Assert.Single((await h.Results.ListRunsAsync(default)).Runs);

        await h.RunAsync(7, deleteResults: true);

        Assert.Empty((await h.Results.ListRunsAsync(default)).Runs);
        Assert.Null(await h.Results.LoadLatestCorpusAsync(null, default));
    }

    public static TheoryData<string, string, string> BadMetadata => new()
    {
        { "broken-quoting.csv", "cord_uid,title,abstract,publish_time\nabc12345,\"A title,\"An \"unbalanced\" abstract,2020-03-01\nx,y\n", "could not be read as CSV" },
        { "wrong-columns.csv", "id,name,value\n1,a,2\n2,b,3\n", "none of them 'title' and 'abstract'" },
        { "header-only.csv", "cord_uid,title,abstract,publish_time\n", "has a header but no rows" },
        { "empty.csv", "", "is empty" },
    };

    [Theory]
    [MemberData(nameof(BadMetadata))]
    public async Task A_bad_metadata_file_fails_phase_2_with_the_cause_and_the_fix(string name, string content, string expected)
    {
        await using var h = await CoreHarness.StartAsync();
        var path = Path.Combine(h.Data.Root, name);
        await File.WriteAllTextAsync(path, content);
        Assert.Empty(await h.Settings.SaveAsync(new PipelineSettings { MetadataPath = path }));
        await h.RunAsync(1);

        var state = await h.RunAsync(2);

        Assert.Equal(PhaseStatus.Failed, state.Status);
        var reason = state.LatestRun!.Reason ?? "";
        Assert.True(reason.Contains(expected) && reason.Contains(name), reason);
        Assert.True(state.CanStart, "the user can fix the file and run the phase again");
    }

    [Fact]
    public async Task A_missing_metadata_file_is_refused_in_settings()
    {
        await using var h = await CoreHarness.StartAsync();
        var errors = await h.Settings.SaveAsync(new PipelineSettings { MetadataPath = "/nowhere/metadata.csv" });
        Assert.Contains(errors, e => e.Message.Contains("/nowhere/metadata.csv") && e.Message.Contains("does not exist"));
    }

    [Fact]
    public async Task A_gzip_metadata_file_of_the_2020_release_without_cord_uid_is_read_by_column_name()
    {
        await using var h = await CoreHarness.StartAsync();
        var path = Path.Combine(h.Data.Root, "metadata-2020.csv.gz");
        await using (var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest))
        await using (var w = new StreamWriter(gz))
        {
            // The first release's header: no cord_uid, columns in another order.
            await w.WriteLineAsync("sha,source_x,title,doi,pmcid,pubmed_id,license,abstract,publish_time,authors,journal,Microsoft Academic Paper ID,WHO #Covidence,has_full_text");
            var sample = (await SampleCorpus.GetAsync()).Documents.Take(40).ToList();
            foreach (var (d, i) in sample.Select((d, i) => (d, i)))
                await w.WriteLineAsync($"{i:x40},PMC,\"{d.Title?.Replace("\"", "\"\"")}\",{d.Doi},,,cc-by,\"{d.Abstract.Replace("\"", "\"\"")}\",2020,\"{d.Authors}\",{d.Journal},,,True");
        }
        await h.Settings.SaveAsync(new PipelineSettings { MetadataPath = path });

        await h.RunAsync(1);
        var lake = await h.RunAsync(2);
        await h.RunAsync(3);
        var pre = await h.RunAsync(4);

        Assert.Equal(PhaseStatus.Succeeded, lake.Status);
        Assert.Equal(PhaseStatus.Succeeded, pre.Status);
        var corpus = await h.Results.LoadLatestCorpusAsync(null, default);
        Assert.Equal(40, corpus!.Documents.Count);
        Assert.All(corpus.Documents, d => Assert.Matches("^[0-9a-f]{40}$", d.Id));
    }

    [Fact]
    public async Task Phase_6_of_a_local_deployment_is_refused_when_it_cannot_fit_even_after_settings_turn_to_aws()
    {
        // A machine with a kilobyte free: no corpus fits.
        await using var h = await CoreHarness.StartAsync(configure: services => services.AddSingleton(
            sp => new Cord19.Core.Execution.ProcessingEstimator(sp.GetRequiredService<Cord19.Core.Results.IResultStore>(), () => 1024)));
        for (var phase = 1; phase <= 5; phase++) await h.RunAsync(phase);

        // Settings now name AWS: that applies from the next deployment, and this one's phase 6 still runs here.
        Assert.Empty(await h.Settings.SaveAsync(new PipelineSettings { Target = DeploymentTarget.Aws }));
        var outcome = await h.Phases.RequestAsync(new RunRequest(6));

        Assert.False(outcome.Accepted, "Phase 6 was accepted on a machine it cannot fit.");
        Assert.Contains("this machine has 0.0 GB available", outcome.Refusal);
        // The Overview's card says the same before the click (it showed no forecast at all).
        var card = ActivatorUtilities.CreateInstance<Cord19.Web.ServiceClient.DeploymentClient>(h.Services, new StartedLifetime());
        Assert.Equal(outcome.Refusal, (await card.GetProcessingForecastAsync(default))?.Refusal);
    }

    [Fact]
    public async Task Preprocessing_that_keeps_nothing_fails_clearly_and_keeps_the_previous_corpus()
    {
        await using var h = await CoreHarness.StartAsync();
        for (var phase = 1; phase <= 4; phase++) await h.RunAsync(phase);
        var before = await h.Results.LoadLatestCorpusAsync(null, default);

        await h.Settings.SaveAsync(new PipelineSettings { PublishedFrom = new DateOnly(2030, 1, 1) });
        var state = await h.RunAsync(4);

        Assert.Equal(PhaseStatus.Failed, state.Status);
        Assert.Contains("kept none", state.LatestRun!.Reason);
        Assert.Contains("published outside the window", await h.LogTextAsync(state));
        Assert.Equal(before!.Manifest.CorpusId, (await h.Results.LoadLatestCorpusAsync(null, default))!.Manifest.CorpusId);
    }
}
