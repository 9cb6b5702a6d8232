using Cord19.Core.Airflow;
using Cord19.Core.Costs;
using Cord19.Core.Deployments;
using Cord19.Core.Pipeline;
using Cord19.Core.Results;
using Cord19.Core.Settings;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support;
using Cord19.Tests.Support.Aws;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static Cord19.Tests.Targets.AwsTargetTests;

namespace Cord19.Tests.Targets;

/// <summary>
/// Phase 6 on AWS judged before it starts, from phase 5's run on the instance (read from the bucket once per run):
/// its time against the instance's lifetime, its peak memory against the instance's beside Airflow, and the
/// Overview's forecast of it; Settings' hours when the bucket cannot say.
/// </summary>
public sealed class AwsPhaseSixForecastTests
{
    [Fact]
    public async Task A_DAG_run_the_instances_lifetime_would_cut_off_is_warned_of_before_it_starts()
    {
        // One hour of life; pre-processing is expected to take half of it.
        var settings = new PipelineSettings { Target = DeploymentTarget.Aws, MaxLifetimeHours = 1 };
        await using var h = await ThroughPhaseAsync(settings, 3);

        var four = await h.Core.RunAsync(4);
        var fourLog = await h.Core.LogTextAsync(four);
        Succeeded(four, fourLog);
        Assert.DoesNotContain("ends itself about", fourLog);

        // Two hours expected of the subset now, and a longer lifetime in Settings, which the instance never reads: its
        // deadline was fixed at its first boot.
        Assert.Empty(await h.Core.Settings.SaveAsync(settings with { MaxLifetimeHours = 100, ExpectedPhaseHours = [0.2, 0.25, 0.1, 0.5, 2, 2, 0.1] }));
        var five = await h.Core.RunAsync(5);

        var log = await h.Core.LogTextAsync(five);
        Succeeded(five, log);
        Assert.Matches(@"The instance ends itself about \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC, in \d+ min: the maximum lifetime its first boot was given\. " +
            @"Settings expect this phase to take about 2 h, so the run may be cut off with it\.", log);
    }

    /// <summary>
    /// Phase 6 goes by what phase 5 measured on the instance: Settings' hours are a guess made before the instance type
    /// or the corpus was known, and here they would say nothing of a run three times longer than the instance's life.
    /// </summary>
    [Fact]
    public async Task Phase_six_forecasts_its_run_from_phase_fives_on_the_instance_and_warns_when_the_lifetime_ends_first()
    {
        var settings = new PipelineSettings { Target = DeploymentTarget.Aws, MaxLifetimeHours = 1, ExpectedPhaseHours = [0.2, 0.25, 0.1, 0.1, 0.1, 0.1, 0.1] };
        await using var h = await ThroughPhaseAsync(settings, 5);
        await MeasuredOnInstanceAsync(h, corpusDocuments: 200_000, "manual__5");

        var six = await h.Core.RunAsync(6);

        var log = await h.Core.LogTextAsync(six);
        Succeeded(six, log);
        // 90 s for 1,500 documents, both steps linear: 12,000 s for 200,000.
        Assert.Contains("Processing the 200,000 documents should take about 3.3 h on the instance (scaled from the step times of its run manual__5 of 1,500)", log);
        Assert.Matches(@"The instance ends itself about .*: the maximum lifetime its first boot was given\. Processing the 200,000 documents should take about 3\.3 h " +
            @"on the instance \(scaled from the step times of its run manual__5 of 1,500\), so the run may be cut off with it\.", log);
    }

    /// <summary>
    /// Phase 6's peak memory against the launched instance's, less Airflow's 4 GB: 1.2 million documents need about
    /// 4.9 GB, which an 8 GiB instance does not leave beside Airflow, and a 16 GiB one does.
    /// </summary>
    [Theory]
    [InlineData(8 * 1024, true)]
    [InlineData(16 * 1024, false)]
    public async Task Phase_six_warns_before_it_starts_when_its_peak_memory_would_not_fit_beside_Airflow(long instanceMiB, bool warned)
    {
        await using var h = await ThroughPhaseAsync(new PipelineSettings { Target = DeploymentTarget.Aws }, 5);
        await MeasuredOnInstanceAsync(h, corpusDocuments: 1_200_000, "manual__5");
        h.Cloud.InstanceType = new InstanceTypeFacts("m5.xlarge", 2, instanceMiB, ["x86_64"], OfferedAsSpot: true);
        // The Overview's card says it before the click, read with the forecast.
        var (deployment, runs) = (await h.Core.Store.GetWithRunsAsync())!.Value;
        Assert.Equal(warned, (await h.Get<InstanceProcessingForecasts>().CardForecastAsync(deployment, runs, await h.Core.Settings.GetAsync(), default))?.InstanceWarning is not null);

        var six = await h.Core.RunAsync(6);

        var log = await h.Core.LogTextAsync(six);
        Succeeded(six, log);
        var warning = $"Processing the 1,200,000 documents needs about 4.9 GB of memory at peak, and the instance (m5.xlarge, {instanceMiB * 1_048_576 / 1e9:0.0} GB) " +
            "keeps about 4.0 GB for Airflow: the run may run out of memory.";
        if (warned) Assert.Contains(warning, log);
        else Assert.DoesNotContain("may run out of memory", log);
    }

    /// <summary>A deployment whose DAG runs succeed, run through phase <paramref name="last"/>.</summary>
    private static async Task<AwsTargetHarness> ThroughPhaseAsync(PipelineSettings settings, int last)
    {
        var h = await AwsTargetHarness.StartAsync(settings);
        ReadyDags(h);
        h.Airflow.TasksOfNewRuns[PipelineDefinition.PreprocessingDag] = [new AirflowTaskInstance("preprocess", "success", 1, null, null, 2.0)];
        h.Airflow.TasksOfNewRuns[PipelineDefinition.ProcessingDag] = [new AirflowTaskInstance("process", "success", 1, null, null, 3.0)];
        try
        {
            for (var phase = 1; phase <= last; phase++) Succeeded(await h.Core.RunAsync(phase), "");
            return h;
        }
        catch
        {
            await h.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// What the instance's pipeline leaves in the deployment's bucket: a corpus, and phase 5's run of 1,500 of its
    /// documents, which took 30 s and 60 s in two steps that grow linearly.
    /// </summary>
    private static async Task MeasuredOnInstanceAsync(AwsTargetHarness h, int corpusDocuments, string runId)
    {
        var names = await h.NamesAsync();
        var onInstance = new ResultStore(h.Cloud.Objects(names.AccountBucket, names.ResultsPrefix));
        var corpusId = $"20261205-000000-{corpusDocuments:x6}";
        var (stems, tokens) = Stemmed.Of([["tok"]]);
        await onInstance.SaveCorpusAsync(new CorpusManifest(1, corpusId, DateTime.UtcNow, "lake", corpusDocuments, corpusDocuments,
            new Dictionary<string, long>(), new Dictionary<string, object?>(), new Dictionary<string, string>()),
            stems, [new("d1", null, null, null, null, null, "abstract", tokens[0])], default);
        var subset = SyntheticRun.Create(runId, 1_500);
        await onInstance.PublishRunAsync(subset with
        {
            Manifest = subset.Manifest with { CorpusId = corpusId, Scope = RunManifest.SubsetScope, Timings = [new("tfidf", 30), new("topics", 60)] },
        }, default);
    }

    /// <summary>
    /// The Overview's phase 6 on AWS: the same forecast before the click, read from the bucket once for each phase 5 run
    /// (not on every change the page draws), and the phase's cost estimate for that time rather than Settings' hours.
    /// </summary>
    [Fact]
    public async Task Before_phase_six_the_overview_forecasts_it_from_phase_fives_run_on_the_instance_once_per_run()
    {
        await using var h = await ThroughPhaseAsync(new PipelineSettings { Target = DeploymentTarget.Aws }, 4);
        var forecasts = h.Get<InstanceProcessingForecasts>();
        await MeasuredOnInstanceAsync(h, corpusDocuments: 200_000, "manual__5");
        Assert.Null(await forecasts.ForecastAsync(default)); // nothing measured until phase 5 has succeeded

        Succeeded(await h.Core.RunAsync(5), "");
        var forecast = await forecasts.ForecastAsync(default);

        Assert.Equal((200_000, 1_500, 12_000.0), (forecast!.Documents, forecast.MeasuredDocuments, forecast.Total.TotalSeconds));
        var settings = await h.Core.Settings.GetAsync();
        var measured = await forecasts.WithMeasuredHoursAsync(settings, default);
        Assert.Equal([.. settings.ExpectedPhaseHours[..5], 12_000.0 / 3600, settings.ExpectedPhaseHours[6]], measured.ExpectedPhaseHours);
        // So do the Costs page's estimate and the header's planned total: phase 6's 3.3 h rather than Settings' 2 h.
        Assert.Equal(12_000.0 / 3600, (await h.Get<CostHistoryReader>().ReadAsync(default)).Estimates.Single(e => e.Phase == 6).Hours);
        var tick = await h.Get<CostMeterService>().TickAsync();
        var found = (await h.Core.Store.GetWithRunsAsync())!.Value;
        Assert.True(tick.Projected > CostMeterService.Measure(found.Deployment, found.Runs, settings, tick.At).Projected);
        Assert.Equal(tick.Projected, CostMeterService.Measure(found.Deployment, found.Runs, measured, tick.At).Projected);
        // Read once for that run: a second corpus in the bucket changes nothing until phase 5 runs again.
        await MeasuredOnInstanceAsync(h, corpusDocuments: 400_000, "manual__5b");
        Assert.Equal(200_000, (await forecasts.ForecastAsync(default))!.Documents);
        Succeeded(await h.Core.RunAsync(5), "");
        Assert.Equal(400_000, (await forecasts.ForecastAsync(default))!.Documents);
    }

    [Fact]
    public async Task A_bucket_the_overview_cannot_read_for_the_forecast_is_asked_again_after_five_minutes_not_at_every_look()
    {
        await using var h = await ThroughPhaseAsync(new PipelineSettings { Target = DeploymentTarget.Aws }, 5);
        var names = await h.NamesAsync();
        var bucket = h.Cloud.Objects(names.AccountBucket, names.ResultsPrefix);
        await bucket.WriteAsync("corpus/latest.json", s => s.WriteAsync("{ not json"u8.ToArray()).AsTask(), default);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var forecasts = new InstanceProcessingForecasts(h.Get<IAwsCloudFactory>(), h.Core.Store, h.Core.Settings, clock, NullLogger<InstanceProcessingForecasts>.Instance);

        Assert.Null(await forecasts.ForecastAsync(default));
        await MeasuredOnInstanceAsync(h, corpusDocuments: 200_000, "manual__5");
        clock.Advance(InstanceProcessingForecasts.AskAgainAfterFailure - TimeSpan.FromSeconds(1));
        Assert.Null(await forecasts.ForecastAsync(default));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(200_000, (await forecasts.ForecastAsync(default))!.Documents);
    }

    [Fact]
    public async Task Phase_six_goes_by_Settings_hours_when_the_bucket_cannot_say_what_phase_five_measured()
    {
        var settings = new PipelineSettings { Target = DeploymentTarget.Aws, MaxLifetimeHours = 1, ExpectedPhaseHours = [0.2, 0.25, 0.1, 0.1, 0.1, 2, 0.1] };
        await using var h = await ThroughPhaseAsync(settings, 5);
        var names = await h.NamesAsync();
        await h.Cloud.Objects(names.AccountBucket, names.ResultsPrefix).WriteAsync("corpus/latest.json", s => s.WriteAsync("{ not json"u8.ToArray()).AsTask(), default);

        var six = await h.Core.RunAsync(6);

        var log = await h.Core.LogTextAsync(six);
        Succeeded(six, log);
        Assert.Contains("Going by Settings' 2 h for this phase: phase 5's run on the instance could not be read from the bucket to forecast it. corpus/latest.json: ", log);
        Assert.Contains("Settings expect this phase to take about 2 h, so the run may be cut off with it.", log);
    }
}
