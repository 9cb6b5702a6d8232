using Cord19.Core.Costs;
using Cord19.Core.Deployments;
using Cord19.Core.Execution;
using Cord19.Core.Phases;
using Cord19.Core.Settings;
using Cord19.Core.Targets.Local;
using Cord19.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Cord19.Tests.Costs;

public sealed class CostMeterServiceTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    // The AWS equivalent with the default sizes: spot m5.xlarge + 30 GB gp3 + IPv4; in phase 2 one ra3.large node, which
    // phase 2 pauses when it ends, after which the cluster bills its managed storage (metered as 1 GB) only.
    private static readonly decimal HourlyInstance = 0.0576m + 30 * 0.08m / 730 + 0.005m;
    private static readonly decimal HourlyPausedCluster = 0.024m / 730;
    private static readonly decimal HourlyAfterPhase2 = HourlyInstance + HourlyPausedCluster;

    [Fact]
    public async Task The_local_target_prices_what_its_phases_would_have_run_on_AWS()
    {
        var clock = new FakeTimeProvider(Start);
        await using var h = await CoreHarness.StartAsync(clock);
        await h.Settings.SaveAsync(new PipelineSettings { BudgetCapUsd = null, MaxLifetimeHours = null });

        Assert.Null((await h.Meter.TickAsync()).DeploymentId);
        await h.RunAsync(1);
        clock.Advance(TimeSpan.FromMinutes(30));
        await h.RunAsync(2);
        clock.Advance(TimeSpan.FromHours(1));
        var running = await h.Meter.TickAsync();
        await h.RunAsync(7);
        clock.Advance(TimeSpan.FromHours(5));
        var ended = await h.Meter.TickAsync();

        // Phase 2 took no time here, so its node-hours are nil: the hour after it bills the paused cluster's storage only.
        var expected = 1.5m * HourlyInstance + 1m * HourlyPausedCluster;
        Assert.True(running.IsAwsEquivalent);
        Assert.Equal(expected, running.Accrued!.Value, 6);
        Assert.Equal(HourlyAfterPhase2, running.BurnRatePerHour!.Value, 6);
        Assert.Equal(5, running.Resources.Count);
        Assert.Equal(0m, running.Resources.Single(r => r.Kind == MeterKind.RedshiftCluster).BurnRatePerHour);
        // After de-allocation nothing bills: five more hours add nothing.
        Assert.Equal(expected, ended.Accrued!.Value, 6);
        Assert.Equal(0m, ended.BurnRatePerHour);
    }

    /// <summary>Phases 1 and 2 run under a $0.10 cap, then the meter's tick once the deployment has cost $0.085 of it.</summary>
    private static async Task<CostSnapshot> At85PercentOfADimeCapAsync(CoreHarness h, FakeTimeProvider clock)
    {
        await h.Settings.SaveAsync(new PipelineSettings { BudgetCapUsd = 0.10m, MaxLifetimeHours = null });
        await h.RunAsync(1);
        await h.RunAsync(2);
        clock.Advance(TimeSpan.FromHours(0.085 / (double)HourlyAfterPhase2));
        return await h.Meter.TickAsync();
    }

    [Fact]
    public async Task The_budget_warning_writes_dollars_as_the_meter_does_whatever_the_servers_culture()
    {
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
        try
        {
            var clock = new FakeTimeProvider(Start);
            await using var h = await CoreHarness.StartAsync(clock);

            var warning = await At85PercentOfADimeCapAsync(h, clock);

            Assert.Equal(BudgetLevel.Warning, warning.Budget.Level);
            Assert.StartsWith($"Cost {Money.Usd(warning.Accrued!.Value)} is ", warning.Budget.Message);
            Assert.Contains("of the $0.10 cap", warning.Budget.Message);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public async Task The_budget_guard_warns_at_80_percent_and_deallocates_once_at_100()
    {
        var clock = new FakeTimeProvider(Start);
        await using var h = await CoreHarness.StartAsync(clock);
        var warning = await At85PercentOfADimeCapAsync(h, clock);
        Assert.Equal(BudgetLevel.Warning, warning.Budget.Level);
        Assert.Contains("of the $0.10 cap", warning.Budget.Message);
        Assert.NotEqual(PhaseStatus.Running, (await h.Store.GetSnapshotAsync())[7].Status);

        clock.Advance(TimeSpan.FromMinutes(20));
        var exceeded = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => h.Meter.TickAsync()));
        await h.Scheduler.WaitAllAsync();
        for (var i = 0; i < 5; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await h.Meter.TickAsync();
        }

        Assert.Contains(exceeded, s => s.Budget.Level == BudgetLevel.Exceeded);
        var deployment = (await h.Store.GetWithRunsAsync())!.Value;
        Assert.Single(deployment.Runs, r => r.PhaseNumber == Phase.Deallocation);
        Assert.NotNull(deployment.Deployment.EndedAt);
        Assert.Contains("the budget guard", deployment.Deployment.GuardReason);
        var snapshot = await h.Store.GetSnapshotAsync();
        Assert.Equal(PhaseStatus.Succeeded, snapshot[7].Status);
        Assert.Contains("Started by the budget guard", await h.LogTextAsync(snapshot[7]));
    }

    [Fact]
    public async Task The_lifetime_limit_also_trips_the_guard()
    {
        var clock = new FakeTimeProvider(Start);
        await using var h = await CoreHarness.StartAsync(clock);
        await h.Settings.SaveAsync(new PipelineSettings { BudgetCapUsd = null, MaxLifetimeHours = 1 });
        await h.RunAsync(1);

        clock.Advance(TimeSpan.FromMinutes(61));
        var tick = await h.Meter.TickAsync();
        await h.Scheduler.WaitAllAsync();

        Assert.Equal(BudgetLevel.Exceeded, tick.Budget.Level);
        Assert.Contains("1 h lifetime", tick.Budget.Message);
        Assert.NotNull((await h.Store.GetSnapshotAsync()).Deployment!.EndedAt);
    }

    [Fact]
    public async Task Once_fired_the_guard_asks_again_for_a_phase_7_that_failed_until_it_succeeds()
    {
        var clock = new FakeTimeProvider(Start);
        var target = new FailingDeallocations(failures: 2);
        await using var h = await StartWithAsync(clock, target);
        await h.RunAsync(1);

        clock.Advance(TimeSpan.FromMinutes(61)); // past the 1 h lifetime: the guard fires, and phase 7 fails
        Assert.Equal(1, await TickAsync(h));
        Assert.Equal(PhaseStatus.Failed, (await h.Store.GetSnapshotAsync())[7].Status);
        clock.Advance(BudgetGuard.RetryInterval / 2);
        Assert.Equal(1, await TickAsync(h)); // not yet
        clock.Advance(BudgetGuard.RetryInterval / 2);
        Assert.Equal(2, await TickAsync(h)); // asked again, failed again
        clock.Advance(BudgetGuard.RetryInterval);
        Assert.Equal(3, await TickAsync(h)); // and again: de-allocated

        var (deployment, runs) = (await h.Store.GetWithRunsAsync())!.Value;
        Assert.NotNull(deployment.EndedAt);
        Assert.Equal(PhaseStatus.Succeeded, runs.Where(r => r.PhaseNumber == Phase.Deallocation).MaxBy(r => r.RequestedAt)!.Status);
        Assert.Contains(runs, r => r.RequestedBy == $"{BudgetGuard.RetryRequester} (2 of {BudgetGuard.Retries}), as phase 7 did not finish: {FailingDeallocations.Reason}");
        clock.Advance(BudgetGuard.RetryInterval);
        Assert.Equal(3, await TickAsync(h));
    }

    [Fact]
    public async Task The_guard_retries_a_limited_number_of_times_and_never_a_phase_7_someone_cancelled()
    {
        var clock = new FakeTimeProvider(Start);
        await using var h = await StartWithAsync(clock, new FailingDeallocations(failures: int.MaxValue));
        await h.RunAsync(1);
        clock.Advance(TimeSpan.FromMinutes(61));
        Assert.Equal(1, await TickAsync(h));

        for (var i = 0; i < BudgetGuard.Retries + 2; i++)
        {
            clock.Advance(BudgetGuard.RetryInterval);
            await TickAsync(h);
        }
        Assert.Equal(1 + BudgetGuard.Retries, await TickAsync(h));

        // A fresh deployment whose guard-started phase 7 someone cancelled: left cancelled. One a stop cut off: asked again.
        await using var cancelled = await StartWithAsync(clock, new FailingDeallocations(failures: 1));
        await cancelled.RunAsync(1);
        clock.Advance(TimeSpan.FromMinutes(61));
        Assert.Equal(1, await TickAsync(cancelled));
        await SetLastDeallocationAsync(cancelled, PhaseStatus.Interrupted, PhaseRunner.CancelledReason);
        clock.Advance(BudgetGuard.RetryInterval);
        Assert.Equal(1, await TickAsync(cancelled));
        await SetLastDeallocationAsync(cancelled, PhaseStatus.Interrupted, PhaseRunner.PanelStoppedReason);
        clock.Advance(BudgetGuard.RetryInterval);
        Assert.Equal(2, await TickAsync(cancelled));
        Assert.NotNull((await cancelled.Store.GetSnapshotAsync()).Deployment!.EndedAt);
    }

    [Fact]
    public async Task A_retry_someone_cancelled_stays_cancelled_though_an_earlier_phase_7_failed()
    {
        var clock = new FakeTimeProvider(Start);
        await using var h = await StartWithAsync(clock, new FailingDeallocations(failures: int.MaxValue));
        await h.RunAsync(1);
        clock.Advance(TimeSpan.FromMinutes(61));
        Assert.Equal(1, await TickAsync(h));
        clock.Advance(BudgetGuard.RetryInterval);
        Assert.Equal(2, await TickAsync(h));

        await SetLastDeallocationAsync(h, PhaseStatus.Interrupted, PhaseRunner.CancelledReason);
        clock.Advance(BudgetGuard.RetryInterval);
        Assert.Equal(2, await TickAsync(h)); // the guard goes by the latest phase 7, not by the first one that failed
    }

    [Fact]
    public async Task A_trip_whose_phase_7_was_never_started_is_asked_for_again_and_a_running_one_is_left_to_finish()
    {
        var clock = new FakeTimeProvider(Start);
        await using var h = await StartWithAsync(clock, new FailingDeallocations(failures: 0));
        await h.RunAsync(1);
        clock.Advance(TimeSpan.FromMinutes(61));
        var id = (await h.Store.GetSnapshotAsync()).Deployment!.Id;
        // As the panel stopping between the trip and its request leaves it (or a request refused: a race lost, the database gone).
        Assert.True(await h.Store.TryTripBudgetGuardAsync(id, $"{BudgetGuard.Requester}: the test's trip"));

        Assert.Equal(0, await TickAsync(h));
        clock.Advance(BudgetGuard.RetryInterval / 2);
        Assert.Equal(0, await TickAsync(h)); // not yet: the guard's own request may still be on its way
        clock.Advance(BudgetGuard.RetryInterval / 2);
        Assert.Equal(1, await TickAsync(h));

        var (deployment, runs) = (await h.Store.GetWithRunsAsync())!.Value;
        Assert.NotNull(deployment.EndedAt);
        Assert.Equal($"{BudgetGuard.RetryRequester} (1 of {BudgetGuard.Retries}), as phase 7 was not started when the guard fired",
            Assert.Single(runs, r => r.PhaseNumber == Phase.Deallocation).RequestedBy);

        // A phase 7 someone started before the trip, still running: left to finish, not replaced.
        await using var running = await StartWithAsync(clock, new FailingDeallocations(failures: 0));
        await running.RunAsync(1);
        var theirs = await running.StartedWithoutAJobAsync(Phase.Deallocation);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await running.Store.TryTripBudgetGuardAsync((await running.Store.GetSnapshotAsync()).Deployment!.Id, $"{BudgetGuard.Requester}: the test's trip"));
        clock.Advance(BudgetGuard.RetryInterval);
        Assert.Equal(1, await TickAsync(running));
        Assert.Equal(PhaseStatus.Running, (await running.Store.FindRunAsync(theirs.Id))!.Status);

        // One someone asked for after the trip, then cancelled: stays cancelled.
        await SetLastDeallocationAsync(running, PhaseStatus.Interrupted, PhaseRunner.CancelledReason);
        await using var cancelled = await StartWithAsync(clock, new FailingDeallocations(failures: 0));
        await cancelled.RunAsync(1);
        Assert.True(await cancelled.Store.TryTripBudgetGuardAsync((await cancelled.Store.GetSnapshotAsync()).Deployment!.Id, $"{BudgetGuard.Requester}: the test's trip"));
        clock.Advance(TimeSpan.FromSeconds(1));
        await cancelled.StartedWithoutAJobAsync(Phase.Deallocation);
        await SetLastDeallocationAsync(cancelled, PhaseStatus.Interrupted, PhaseRunner.CancelledReason);
        clock.Advance(BudgetGuard.RetryInterval);
        Assert.Equal(1, await TickAsync(cancelled));
    }

    [Fact]
    public async Task The_guards_own_phase_7_is_known_by_its_requester_though_another_clock_dated_it_before_the_trip()
    {
        var clock = new FakeTimeProvider(Start);
        await using var h = await StartWithAsync(clock, new FailingDeallocations(failures: 1));
        await h.RunAsync(1);
        // The guard's request, dated by the database's clock a moment before the trip its panel's clock dated.
        await h.Phases.RequestAsync(new RunRequest(Phase.Deallocation, RequestedBy: $"{BudgetGuard.Requester}: the test's trip"));
        await h.Scheduler.WaitAllAsync();
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await h.Store.TryTripBudgetGuardAsync((await h.Store.GetSnapshotAsync()).Deployment!.Id, $"{BudgetGuard.Requester}: the test's trip"));
        clock.Advance(BudgetGuard.RetryInterval);

        Assert.Equal(2, await TickAsync(h));

        // Asked again because it failed, not as if none had been asked for.
        var again = (await h.Store.GetWithRunsAsync())!.Value.Runs.Where(r => r.PhaseNumber == Phase.Deallocation).MaxBy(r => r.RequestedAt)!;
        Assert.Equal($"{BudgetGuard.RetryRequester} (1 of {BudgetGuard.Retries}), as phase 7 did not finish: {FailingDeallocations.Reason}", again.RequestedBy);
    }

    /// <summary>A panel on the local target, with a 1 h lifetime for the guard to act on, whose phase 7 fails as <paramref name="target"/> says.</summary>
    private static async Task<CoreHarness> StartWithAsync(FakeTimeProvider clock, FailingDeallocations target)
    {
        var h = await CoreHarness.StartAsync(clock, configure: s => s.AddSingleton<ITarget>(sp => target.Around(ActivatorUtilities.CreateInstance<LocalTarget>(sp))));
        await h.Settings.SaveAsync(new PipelineSettings { BudgetCapUsd = null, MaxLifetimeHours = 1 });
        return h;
    }

    /// <summary>A meter tick and the phases it started; how many phase 7 runs the deployment has now.</summary>
    private static async Task<int> TickAsync(CoreHarness h)
    {
        await h.Meter.TickAsync();
        await h.Scheduler.WaitAllAsync();
        return (await h.Store.GetWithRunsAsync())!.Value.Runs.Count(r => r.PhaseNumber == Phase.Deallocation);
    }

    private static async Task SetLastDeallocationAsync(CoreHarness h, PhaseStatus status, string reason)
    {
        await using var db = await h.Services.GetRequiredService<IDbContextFactory<Cord19Db>>().CreateDbContextAsync();
        var last = await db.PhaseRuns.Where(r => r.PhaseNumber == Phase.Deallocation).OrderByDescending(r => r.RequestedAt).FirstAsync();
        (last.Status, last.Reason) = (status, reason);
        await db.SaveChangesAsync();
    }

    /// <summary>The local target, but its first <c>failures</c> phase 7 runs fail as AWS refusing would.</summary>
    private sealed class FailingDeallocations(int failures)
    {
        public const string Reason = "AWS refused ec2:TerminateInstances (RequestLimitExceeded): wait a minute and try again.";
        private int _left = failures;

        public ITarget Around(ITarget local) => new Target(local, this);

        private sealed class Target(ITarget local, FailingDeallocations outer) : ITarget
        {
            public DeploymentTarget Kind => local.Kind;

            public Task RunAsync(PhaseContext context) =>
                context.Phase.IsDeallocation && Interlocked.Decrement(ref outer._left) >= 0
                    ? throw new PhaseFailedException(Reason)
                    : local.RunAsync(context);

            public Task<IReadOnlyList<PlannedDeletion>> PlanDeallocationAsync(Guid deploymentId, PipelineSettings settings, IReadOnlyList<ResourceView> ledger,
                CancellationToken ct) => local.PlanDeallocationAsync(deploymentId, settings, ledger, ct);
        }
    }

    [Fact]
    public async Task An_unreadable_edited_price_book_shows_unknown_not_a_number()
    {
        var clock = new FakeTimeProvider(Start);
        await using var h = await CoreHarness.StartAsync(clock);
        await h.RunAsync(1);
        // Saved before validation existed, or edited in the database by hand.
        var broken = new PipelineSettings() with { PriceBookJson = "{ not json" };
        var snapshot = CostMeterService.Measure((await h.Store.GetWithRunsAsync())!.Value.Deployment, (await h.Store.GetWithRunsAsync())!.Value.Runs, broken, clock.GetUtcNow().UtcDateTime);

        Assert.Null(snapshot.Accrued);
        Assert.Contains(snapshot.Warnings, w => w.Contains("not valid JSON"));
        Assert.Contains(await h.Settings.SaveAsync(broken), e => e.Message.Contains("not valid JSON"));
    }

    [Fact]
    public async Task An_unreadable_edited_price_book_leaves_the_lifetime_guarding_and_says_the_cap_cannot()
    {
        var clock = new FakeTimeProvider(Start);
        await using var h = await CoreHarness.StartAsync(clock);
        await h.RunAsync(1);
        clock.Advance(TimeSpan.FromMinutes(61));
        var (deployment, runs) = (await h.Store.GetWithRunsAsync())!.Value;
        var broken = new PipelineSettings { BudgetCapUsd = 5, MaxLifetimeHours = 1, PriceBookJson = "{ not json" };

        var snapshot = CostMeterService.Measure(deployment, runs, broken, clock.GetUtcNow().UtcDateTime);

        // The lifetime needs no price: the guard still fires at it.
        Assert.Equal(BudgetLevel.Exceeded, snapshot.Budget.Level);
        Assert.Contains("1 h lifetime", snapshot.Budget.Message);
        Assert.All(snapshot.Resources, r => Assert.Contains("not valid JSON", r.Unknown));
        Assert.Single(snapshot.Warnings, w => w.Contains("not valid JSON"));
        Assert.Contains(snapshot.Warnings, w => w.Contains("The $5.00 cap cannot guard while a cost is unknown (the price book cannot be read.) Only the 1 h lifetime guards"));
        Assert.True(snapshot.IsAwsEquivalent);
        Assert.False(CostMeterService.Measure(AwsTarget(deployment), runs, broken, clock.GetUtcNow().UtcDateTime).IsAwsEquivalent);
    }

    [Fact]
    public async Task An_AWS_deployment_keeps_the_lifetime_its_phase_1_gave_when_Settings_switched_to_local_have_none()
    {
        var clock = new FakeTimeProvider(Start);
        await using var h = await CoreHarness.StartAsync(clock);
        await h.Settings.SaveAsync(new PipelineSettings { BudgetCapUsd = null, MaxLifetimeHours = 1 });
        await h.RunAsync(1);
        clock.Advance(TimeSpan.FromMinutes(61));
        var (deployment, runs) = (await h.Store.GetWithRunsAsync())!.Value;
        // What Settings may hold once switched to the local target, which needs no lifetime.
        var local = new PipelineSettings { Target = DeploymentTarget.Local, BudgetCapUsd = null, MaxLifetimeHours = null };
        var now = clock.GetUtcNow().UtcDateTime;

        var onAws = CostMeterService.Measure(AwsTarget(deployment), runs, local, now);

        Assert.Equal(BudgetLevel.Exceeded, onAws.Budget.Level);
        Assert.Contains("1 h lifetime", onAws.Budget.Message);
        // Settings' lifetime, when they have one, is the one in force (raised while the deployment runs).
        Assert.Equal(BudgetLevel.Ok, CostMeterService.Measure(AwsTarget(deployment), runs, local with { MaxLifetimeHours = 4 }, now).Budget.Level);
        // A local deployment may run with none.
        Assert.Equal(BudgetStatus.Unlimited, CostMeterService.Measure(deployment, runs, local, now).Budget);

        // Phase 1 run again with a longer lifetime gave the instance that one: the longest given is the one in force.
        await h.Settings.SaveAsync(new PipelineSettings { BudgetCapUsd = null, MaxLifetimeHours = 3 });
        await h.RunAsync(1);
        var twice = (await h.Store.GetWithRunsAsync())!.Value.Runs;
        Assert.Equal(BudgetLevel.Ok, CostMeterService.Measure(AwsTarget(deployment), twice, local, now).Budget.Level);
    }

    [Fact]
    public async Task The_projection_runs_what_bills_now_until_the_planned_end_and_an_ended_deployment_is_over_no_limit()
    {
        var clock = new FakeTimeProvider(Start);
        await using var h = await CoreHarness.StartAsync(clock);
        var settings = new PipelineSettings { BudgetCapUsd = 5, MaxLifetimeHours = 1 };
        await h.Settings.SaveAsync(settings);
        await h.RunAsync(1);
        clock.Advance(TimeSpan.FromMinutes(30));

        var running = await h.Meter.TickAsync();

        // The planned run is every phase's expected hours from the deployment's start.
        var left = (decimal)(settings.ExpectedPhaseHours.Sum() - 0.5);
        Assert.Equal(running.Accrued!.Value + running.BurnRatePerHour!.Value * left, running.Projected!.Value, 10);
        Assert.True(running.BurnRatePerHour > 0m);

        // De-allocated, then looked at hours later: past its lifetime, but over, so no limit is near and nothing is warned.
        await h.RunAsync(7);
        clock.Advance(TimeSpan.FromHours(5));
        var ended = await h.Meter.TickAsync();
        Assert.Equal((BudgetLevel.Ok, (string?)null), (ended.Budget.Level, ended.Budget.Message));
        Assert.Equal(ended.Accrued, ended.Projected);
    }

    /// <summary>The local harness's deployment as the meter would see it on AWS (the ledger's local entries price as nothing there).</summary>
    private static Deployment AwsTarget(Deployment local) => new()
    {
        Id = local.Id, Target = DeploymentTarget.Aws, Region = "us-east-2", CreatedAt = local.CreatedAt, EndedAt = local.EndedAt,
    };

    [Fact]
    public void The_estimate_prices_each_phase_for_the_sizes_and_hours_in_settings()
    {
        var settings = new PipelineSettings { ExpectedPhaseHours = [1, 2, 0, 0, 0, 0, 0] };
        var estimates = CostEstimate.ForPhases(settings, PriceBook.Default);

        Assert.Equal(Math.Round(HourlyInstance, 4), estimates[0].Usd);
        // Phase 2 runs the ra3.large node for its export; later phases only keep its storage.
        Assert.Equal(Math.Round(2 * (HourlyAfterPhase2 + 0.543m), 4), estimates[1].Usd);
        Assert.Equal(Math.Round(2 * (HourlyAfterPhase2 + 2 * 0.543m), 4), CostEstimate.ForPhases(settings with { RedshiftNodes = 2 }, PriceBook.Default)[1].Usd);
        Assert.Equal(0m, estimates[2].Usd);
        Assert.Contains("ec2.spot.z1.nano", CostEstimate.ForPhases(settings with { InstanceType = "z1.nano" }, PriceBook.Default)[0].Unknown);
    }

    /// <summary>On AWS, phase 2 makes no cluster when the metadata is the panel's file or a release the instance downloads.</summary>
    [Theory]
    [InlineData(PipelineSettings.PanelMetadataSource)]
    [InlineData(PipelineSettings.ReleaseMetadataSource)]
    public void The_estimate_prices_no_cluster_on_AWS_when_phase_two_makes_none(string source)
    {
        var settings = new PipelineSettings { Target = DeploymentTarget.Aws, AwsMetadataSource = source, ExpectedPhaseHours = [1, 2, 0, 0, 0, 0, 0] };

        var estimates = CostEstimate.ForPhases(settings, PriceBook.Default);

        Assert.Equal(Math.Round(2 * HourlyInstance, 4), estimates[1].Usd);
        // Nor is a node type without a price a reason to price nothing.
        Assert.Null(CostEstimate.ForPhases(settings with { RedshiftNodeType = "ra9.huge" }, PriceBook.Default)[1].Unknown);
        // With the data lake, the node runs through phase 2.
        Assert.Equal(Math.Round(2 * (HourlyAfterPhase2 + 0.543m), 4),
            CostEstimate.ForPhases(settings with { AwsMetadataSource = PipelineSettings.DataLakeMetadataSource }, PriceBook.Default)[1].Usd);
    }
}
