using Cord19.Core.Costs;
using Microsoft.Extensions.Time.Testing;

namespace Cord19.Tests.Costs;

public sealed class BillingRulesTests
{
    private static readonly DateTime T0 = new(2026, 1, 5, 9, 0, 0, DateTimeKind.Utc);
    private static readonly PricePoint[] FlatSpot = [new(DateTime.MinValue, 0.036m)];

    [Fact]
    public void An_instance_pays_at_least_60_seconds_per_start()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(T0));
        BilledPeriod[] running = [new(T0, null)];

        clock.Advance(TimeSpan.FromSeconds(10));
        var after10s = BillingRules.Ec2(running, FlatSpot, clock.GetUtcNow().UtcDateTime);
        var stoppedAt20s = BillingRules.Ec2([new(T0, T0.AddSeconds(20))], FlatSpot, T0.AddHours(5));
        var stoppedAt90s = BillingRules.Ec2([new(T0, T0.AddSeconds(90))], FlatSpot, T0.AddHours(5));

        Assert.Equal(0.036m * 60 / 3600, after10s);
        Assert.Equal(0.036m * 60 / 3600, stoppedAt20s);
        Assert.Equal(0.036m * 90 / 3600, stoppedAt90s);
    }

    [Fact]
    public void Each_restart_has_its_own_minimum()
    {
        BilledPeriod[] twoShortRuns = [new(T0, T0.AddSeconds(5)), new(T0.AddMinutes(10), T0.AddMinutes(10).AddSeconds(5))];
        Assert.Equal(0.036m * 120 / 3600, BillingRules.Ec2(twoShortRuns, FlatSpot, T0.AddHours(1)));
    }

    [Fact]
    public void A_spot_price_change_applies_from_its_time_on_partial_seconds_included()
    {
        PricePoint[] price = [new(T0.AddDays(-1), 0.04m), new(T0.AddMinutes(30), 0.08m)];
        var cost = BillingRules.Ec2([new(T0, T0.AddMinutes(45).AddMilliseconds(500))], price, T0.AddHours(1));
        Assert.Equal(0.04m / 2 + 0.08m * (15 * 60 + 0.5m) / 3600, cost, 12);
    }

    [Fact]
    public void Redshift_bills_per_second_while_available_and_not_while_paused()
    {
        BilledPeriod[] available = [new(T0, T0.AddSeconds(30)), new(T0.AddHours(2), T0.AddHours(2).AddMinutes(1))];
        Assert.Equal(0.25m * 2 * 90 / 3600, BillingRules.Redshift(available, 0.25m, nodes: 2, T0.AddHours(3)), 12);
    }

    /// <summary>A period whose end precedes its start (two machines' clocks, a hand-edited row) bills nothing, never a refund.</summary>
    [Fact]
    public void A_period_that_ends_before_it_starts_bills_nothing()
    {
        BilledPeriod[] backwards = [new(T0.AddMinutes(5), T0), new(T0, T0.AddHours(1))];
        Assert.Equal(0.25m, BillingRules.Redshift(backwards, 0.25m, nodes: 1, T0.AddHours(3)), 12);
        Assert.Equal(0.005m, BillingRules.PublicIpv4(backwards, 0.005m, T0.AddHours(3)), 12);
    }

    [Fact]
    public void A_spectrum_scan_is_billed_once_per_query_that_ran_and_for_at_least_10_mb()
    {
        BilledPeriod[] twoQueries = [new(T0, T0), new(T0.AddHours(1), T0.AddHours(1))];
        Assert.Equal(2 * 2m * 5m, BillingRules.SpectrumScan(twoQueries, 2m, 5m, T0.AddHours(2)));
        Assert.Equal(2m * 5m, BillingRules.SpectrumScan(twoQueries, 2m, 5m, T0.AddMinutes(30)));
        Assert.Equal(10m / 1_048_576m * 5m, BillingRules.SpectrumScan([new(T0, T0)], 1m / 1_099_511_627_776m, 5m, T0)); // one byte
    }

    [Fact]
    public void Storage_is_a_gb_month_rate_prorated_over_730_hours()
    {
        Assert.Equal(30 * 0.08m, BillingRules.Storage([new(T0, T0.AddHours(730))], 30, 0.08m, T0.AddYears(1)), 10);
    }

    /// <summary>
    /// A scripted three-hour run: the spot price rises after an hour; the instance is stopped for 20 minutes and
    /// started again; its EBS volume bills throughout, its public IPv4 address only while it runs; Redshift is
    /// created after 10 minutes and paused for half an hour. The meter must match the bill computed by hand.
    /// </summary>
    [Fact]
    public void A_three_hour_run_with_a_price_change_and_a_stop_matches_the_hand_computed_bill_within_a_cent()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(T0));
        var prices = PriceBook.Default;
        PricePoint[] spot = [new(T0, 0.05m), new(T0.AddHours(1), 0.07m)];
        BilledPeriod[] instanceRunning = [new(T0, T0.AddHours(1.5)), new(T0.AddHours(1.5).AddMinutes(20), null)];
        BilledPeriod[] redshiftAvailable = [new(T0.AddMinutes(10), T0.AddHours(1)), new(T0.AddHours(1.5), null)];
        MeteredResource[] resources =
        [
            new("instance", MeterKind.Ec2Instance, "ec2.spot.t3.xlarge", 1, instanceRunning, spot),
            new("volume", MeterKind.EbsVolume, "ebs.gp3.gb-month", 30, [new(T0, null)]),
            new("address", MeterKind.PublicIpv4, "ipv4.public.hour", 1, instanceRunning),
            new("cluster", MeterKind.RedshiftCluster, "redshift.ondemand.dc2.large", 1, redshiftAvailable),
        ];

        clock.Advance(TimeSpan.FromHours(3));
        var snapshot = CostMeter.Measure(Guid.NewGuid(), T0, ended: false, isAwsEquivalent: false, resources, prices,
            clock.GetUtcNow().UtcDateTime, plannedEnd: T0.AddHours(3), capUsd: null, maxLifetimeHours: null);

        // By hand: instance 1 h × $0.05 + 0.5 h × $0.07 + 70 min × $0.07; volume 30 GB × $0.08 / 730 h × 3 h;
        // address 2 h 40 min × $0.005; cluster (50 + 90) min × $0.25.
        var instance = 0.05 + 0.5 * 0.07 + 70 / 60.0 * 0.07;
        var volume = 30 * 0.08 / 730 * 3;
        var address = (2 + 40 / 60.0) * 0.005;
        var cluster = 140 / 60.0 * 0.25;
        Assert.InRange((double)snapshot.Accrued!.Value, instance + volume + address + cluster - 0.01, instance + volume + address + cluster + 0.01);
        Assert.Equal(instance, (double)snapshot.Resources[0].Accrued!.Value, 9);
        Assert.Equal(volume, (double)snapshot.Resources[1].Accrued!.Value, 9);
        Assert.Equal(address, (double)snapshot.Resources[2].Accrued!.Value, 9);
        Assert.Equal(cluster, (double)snapshot.Resources[3].Accrued!.Value, 9);
        Assert.Equal(0.07 + 30 * 0.08 / 730 + 0.005 + 0.25, (double)snapshot.BurnRatePerHour!.Value, 9);
    }

    [Fact]
    public void The_projection_adds_each_resource_s_burn_rate_until_the_planned_end()
    {
        MeteredResource[] resources =
        [
            new("cluster", MeterKind.RedshiftCluster, "redshift.ondemand.dc2.large", 2, [new(T0, null)]), // 2 nodes × $0.25
            new("volume", MeterKind.EbsVolume, "ebs.gp3.gb-month", 730, [new(T0, null)]),              // 730 GB × $0.08 / 730 h
        ];
        var snapshot = CostMeter.Measure(Guid.NewGuid(), T0, false, false, resources, PriceBook.Default, T0.AddHours(1), T0.AddHours(3), null, null);
        Assert.Equal(0.58m, snapshot.BurnRatePerHour);
        Assert.Equal(0.58m, snapshot.Accrued);
        Assert.Equal(0.58m * 3, snapshot.Projected);
    }

    /// <summary>
    /// The guard fires on whichever of the cap and the lifetime is spent first, and warns from 80% of either; below
    /// that the header's meter stays quiet. A cluster at $0.25/h against a $10 cap and an 8 h lifetime: the lifetime is
    /// the nearer.
    /// </summary>
    [Fact]
    public void The_budget_warns_from_80_percent_of_the_cap_or_the_lifetime_and_is_spent_at_100()
    {
        MeteredResource[] cluster = [new("cluster", MeterKind.RedshiftCluster, "redshift.ondemand.dc2.large", 1, [new(T0, null)])];
        BudgetStatus At(double hours, decimal? cap, double? lifetime) =>
            CostMeter.Measure(Guid.NewGuid(), T0, false, false, cluster, PriceBook.Default, T0.AddHours(hours), T0.AddHours(9), cap, lifetime).Budget;

        var early = At(1, 10m, 8);
        Assert.Equal((BudgetLevel.Ok, 0.125, null), (early.Level, early.Fraction, early.Message));
        var late = At(6.5, 10m, 8);
        Assert.Equal(BudgetLevel.Warning, late.Level);
        Assert.Equal("The deployment is 6.5 h old, 81 % of its 8 h lifetime.", late.Message);
        Assert.Equal(BudgetLevel.Exceeded, At(8, 10m, 8).Level);
        Assert.Equal(BudgetLevel.Warning, At(6.4, 10m, 8).Level); // 80% exactly warns

        Assert.Equal(BudgetLevel.Ok, At(3, 1m, null).Level); // $0.75 of $1
        var nearCap = At(3.5, 1m, null);
        Assert.Equal(BudgetLevel.Warning, nearCap.Level);
        Assert.Equal("Cost $0.875 is 88 % of the $1.00 cap.", nearCap.Message);
        Assert.Equal(BudgetLevel.Exceeded, At(4, 1m, null).Level);
        Assert.Equal(BudgetStatus.Unlimited, At(100, null, null));
    }

    [Fact]
    public void A_missing_price_makes_the_meter_unknown_rather_than_wrong()
    {
        MeteredResource[] resources =
        [
            new("instance", MeterKind.Ec2Instance, "ec2.spot.x9.huge", 1, [new(T0, null)]),
            new("volume", MeterKind.EbsVolume, "ebs.gp3.gb-month", 30, [new(T0, null)]),
        ];
        var snapshot = CostMeter.Measure(Guid.NewGuid(), T0, false, false, resources, PriceBook.Default, T0.AddHours(1), T0.AddHours(3), 5m, null);

        Assert.Null(snapshot.Accrued);
        Assert.Null(snapshot.Projected);
        Assert.Contains("ec2.spot.x9.huge", snapshot.Resources[0].Unknown);
        Assert.NotNull(snapshot.Resources[1].Accrued);

        // A cap that can never be reached is said, and turns the header's meter amber: before, it stayed white and quiet.
        Assert.Equal(BudgetLevel.Warning, snapshot.Budget.Level);
        Assert.Equal("The $5.00 cap cannot guard while a cost is unknown (instance: No price for 'ec2.spot.x9.huge' in the price book: add it in " +
            "Settings.) Nothing stops this deployment by itself.", Assert.Single(snapshot.Warnings));
        var withLifetime = CostMeter.Measure(Guid.NewGuid(), T0, false, false, resources, PriceBook.Default, T0.AddHours(1), T0.AddHours(3), 5m, 8);
        Assert.EndsWith("Only the 8 h lifetime guards this deployment.", Assert.Single(withLifetime.Warnings));
        Assert.Empty(CostMeter.Measure(Guid.NewGuid(), T0, false, false, resources, PriceBook.Default, T0.AddHours(1), T0.AddHours(3), null, 8).Warnings);
        Assert.Empty(CostMeter.Measure(Guid.NewGuid(), T0, true, false, resources, PriceBook.Default, T0.AddHours(1), T0.AddHours(3), 5m, 8).Warnings);

        // Every unknown price is named at once (before, only the first: adding it revealed the next).
        MeteredResource[] twoUnknown =
        [
            .. resources,
            new("cluster", MeterKind.RedshiftCluster, "redshift.ondemand.zz9.large", 2, [new(T0, null)]),
            new("second instance", MeterKind.Ec2Instance, "ec2.spot.x9.huge", 1, [new(T0, null)]),
        ];
        Assert.Equal("The $5.00 cap cannot guard while a cost is unknown (instance, second instance: No price for 'ec2.spot.x9.huge' in the " +
            "price book: add it in Settings. cluster: No price for 'redshift.ondemand.zz9.large' in the price book: add it in Settings.) " +
            "Nothing stops this deployment by itself.",
            Assert.Single(CostMeter.Measure(Guid.NewGuid(), T0, false, false, twoUnknown, PriceBook.Default, T0.AddHours(1), T0.AddHours(3), 5m, null).Warnings));
    }
}
