using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support.Aws;
using Cord19.Tests.Targets;
using Cord19.Web.Jobs;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Cord19.Tests.Hosting;

/// <summary>
/// The panel's background looks at AWS. Each must outlive a failed look: a hosted service that throws stops the whole
/// app (.NET's default), budget guard included.
/// </summary>
public sealed class BackgroundLooksTests
{
    [Fact]
    public async Task Every_interval_it_pauses_an_idle_cluster_and_a_failed_look_does_not_end_the_looks()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        AwsTargetTests.Succeeded(await h.Core.RunAsync(1), "");
        AwsTargetTests.Succeeded(await h.Core.RunAsync(2), "");
        var cluster = (await h.NamesAsync()).Cluster;
        // Left resuming with no phase 2 running, as a phase 2 that stopped during the resume leaves it.
        await h.Cloud.ResumeClusterAsync(cluster, default);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var watching = new AwsDeploymentWatching(h.Get<ClusterGuard>(), h.Get<EndedInstanceGuard>(), clock, NullLogger<AwsDeploymentWatching>.Instance);
        await watching.StartAsync(default);

        int Pauses() => h.Cloud.Calls.Count(c => c == $"pause cluster {cluster}");
        var pausedByPhaseTwo = Pauses();

        h.Cloud.NextLookFailure = new TimeoutException("AWS did not answer in time");
        await AdvanceUntilAsync(clock, () => h.Cloud.NextLookFailure is null); // the failed look
        Assert.Equal(pausedByPhaseTwo, Pauses());
        // Then resuming (not pausable yet), then available with no phase 2: paused.
        await AdvanceUntilAsync(clock, () => Pauses() > pausedByPhaseTwo);

        await watching.StopAsync(default);
        Assert.Equal("pausing", h.Cloud.Clusters[cluster].State.Status);
    }

    [Fact]
    public async Task The_spot_price_watch_keeps_looking_after_a_failed_look()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        AwsTargetTests.Succeeded(await h.Core.RunAsync(1), "");
        var id = await h.DeploymentIdAsync();
        h.Cloud.SpotHistory.Add(new Core.Costs.PricePoint(DateTime.UtcNow.AddDays(-1), 0.0410m));
        var prices = h.Get<Core.Costs.LiveSpotPrices>();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var watcher = new SpotPriceWatcher(h.Core.Store, h.Core.Settings, h.Cloud, prices, NullLogger<SpotPriceWatcher>.Instance);
        using var watching = new SpotPriceWatching(watcher, clock, NullLogger<SpotPriceWatching>.Instance);
        h.Cloud.NextLookFailure = new TimeoutException("AWS did not answer in time");

        await watching.StartAsync(default);

        await AdvanceUntilAsync(clock, () => h.Cloud.NextLookFailure is null, TimeSpan.Zero); // the first look, at once, failed
        Assert.Null(prices.Get(id));
        await AdvanceUntilAsync(clock, () => prices.Get(id) is not null, SpotPriceWatcher.Interval);
        await watching.StopAsync(default);
    }

    [Fact]
    public async Task Reconciliation_at_start_up_never_stops_the_app()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        AwsTargetTests.Succeeded(await h.Core.RunAsync(1), "");
        h.Cloud.NextLookFailure = new TimeoutException("AWS did not answer in time");

        using var reconciliation = new AwsReconciliationAtStart(h.Get<AwsReconciler>(), NullLogger<AwsReconciliationAtStart>.Instance);
        await reconciliation.StartAsync(default);
        await reconciliation.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(reconciliation.ExecuteTask.IsCompletedSuccessfully);
        Assert.Null(h.Cloud.NextLookFailure); // it did look, and the failure stayed inside
    }

    /// <summary>
    /// One interval at a time: .NET 10 starts ExecuteAsync on the thread pool, so the timer may not exist yet when
    /// StartAsync returns, and an interval passed before it does would be missed.
    /// </summary>
    private static async Task AdvanceUntilAsync(FakeTimeProvider clock, Func<bool> condition, TimeSpan? interval = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "no look came to pass");
            clock.Advance(interval ?? ClusterGuard.Interval);
            await Task.Delay(20);
        }
    }
}
