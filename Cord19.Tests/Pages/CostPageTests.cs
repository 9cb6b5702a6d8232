using Bunit;
using Cord19.Core.Costs;
using Cord19.Core.Settings;
using Cord19.Tests.Support;
using Cord19.Web.Components.Controls;
using Cord19.Web.Model;
using Cord19.Web.ServiceClient;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Cord19.Tests.Pages;

public sealed class CostPageTests : PageTestContext
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);
    private readonly CoreHarness _core;
    private readonly FakeTimeProvider _clock;

    public CostPageTests() : this(new FakeTimeProvider(Start)) { }

    private CostPageTests(FakeTimeProvider clock) : this(clock, CoreHarness.StartAsync(clock).GetAwaiter().GetResult()) { }

    // The real meter and history over a real deployment: the page's figures and charts are the Core's.
    private CostPageTests(FakeTimeProvider clock, CoreHarness core) : base(s => s
        .AddSingleton<ICostClient>(new ReadCountingCostClient(new CostClient(core.Meter, core.Services.GetRequiredService<CostHistoryReader>(),
            new Cord19.Core.Targets.Aws.DeploymentBills(core.Services.GetRequiredService<Cord19.Core.Deployments.DeploymentStore>(),
                core.Services.GetRequiredService<Cord19.Core.Settings.SettingsStore>(), new Support.Aws.FakeAwsCloud(Path.GetTempPath()), clock))))
        .AddSingleton<TimeProvider>(clock))
    {
        _core = core;
        _clock = clock;
    }

    [Fact]
    public async Task The_header_meter_follows_the_meter_live()
    {
        var badge = Render<CostMeterBadge>();
        Assert.Contains("no deployment", badge.Find("[data-testid=cost-meter]").TextContent);

        await _core.RunAsync(1);
        _clock.Advance(TimeSpan.FromHours(2));
        await _core.Meter.TickAsync();

        badge.WaitForAssertion(() => Assert.Contains("not billed · would be on AWS $0.", badge.Find("[data-testid=cost-meter]").TextContent), Patience);
        Assert.Contains("/h", badge.Find("[data-testid=cost-meter]").TextContent);
    }

    [Fact]
    public async Task The_costs_page_shows_what_the_run_would_have_cost_per_resource_with_charts_and_the_estimate()
    {
        await _core.RunAsync(1);
        await _core.RunAsync(2);
        _clock.Advance(TimeSpan.FromHours(1));
        var snapshot = await _core.Meter.TickAsync();

        var page = Render<Cord19.Web.Components.Pages.Costs>();

        page.WaitForAssertion(() => Assert.Contains($"would have cost {Cord19.Core.Costs.Money.Usd(snapshot.Accrued!.Value)} on AWS", page.Find("[data-testid=costs-title]").TextContent), Patience);
        var table = page.Find("[data-testid=cost-resources]").TextContent;
        Assert.Contains("EC2 spot instance (m5.xlarge)", table);
        Assert.Contains("Redshift cluster (1 × ra3.large)", table);
        Assert.Contains("Redshift managed storage", table);
        // Each line says where its price came from (locally: the price book's entry, with its source and date).
        Assert.Contains("price book 'ec2.spot.m5.xlarge'", page.Find("[data-testid=price-source]").TextContent);
        Assert.Contains("All phases", page.Find("[data-testid=cost-estimate]").TextContent);
        // The spot chart's note quotes the price book's source, whose own full stop would end up before a comma.
        var spotNote = page.Find("[data-testid=spot-note]").TextContent;
        Assert.StartsWith("From the price book (Estimate:", spotNote);
        Assert.DoesNotContain(".,", spotNote);
        Assert.Equal(3, page.FindComponents<Vizor.ECharts.EChart>().Count);
    }

    /// <summary>The shipped price book is us-east-2's: an estimate for another region says whose rates it is at.</summary>
    [Theory]
    [InlineData("us-east-2", false)]
    [InlineData("eu-west-1", true)]
    public async Task The_estimate_for_another_region_than_the_price_books_says_whose_rates_it_is_at(string region, bool caveat)
    {
        Assert.Empty(await _core.Settings.SaveAsync(new PipelineSettings { Target = Cord19.Core.Deployments.DeploymentTarget.Aws, AwsRegion = region }));

        var page = Render<Cord19.Web.Components.Pages.Costs>();

        page.WaitForAssertion(() => Assert.Contains("All phases", page.Find("[data-testid=cost-estimate]").TextContent), Patience);
        Assert.Equal(caveat ? 1 : 0, page.FindAll("[data-testid=estimate-caveat]").Count);
        if (caveat)
            Assert.StartsWith("Priced at us-east-2's rates, the price book's: Settings' AWS region is eu-west-1", page.Find("[data-testid=estimate-caveat]").TextContent.Trim());
    }

    [Fact]
    public async Task A_refresh_of_the_charts_draws_into_them_rather_than_making_them_again()
    {
        await _core.RunAsync(1);
        _clock.Advance(TimeSpan.FromMinutes(10));
        await _core.Meter.TickAsync();
        var page = Render<Cord19.Web.Components.Pages.Costs>();
        page.WaitForAssertion(() => Assert.Equal(3, page.FindComponents<Vizor.ECharts.EChart>().Count), Patience);
        var charts = page.FindComponents<Vizor.ECharts.EChart>().Select(c => c.Instance).ToList();

        // Made again, a chart was blank for a round trip every 30 s, and its first frames had no room for the legend.
        _clock.Advance(TimeSpan.FromSeconds(31));
        await _core.Meter.TickAsync();

        // The updates follow the render (no render follows them for WaitForAssertion to look again).
        var deadline = DateTime.UtcNow + Patience;
        while (JSInterop.Invocations["vizorECharts.updateChart"].Count < 3 && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal(["cost-cumulative", "cost-spot", "cost-past"], JSInterop.Invocations["vizorECharts.updateChart"].Select(i => i.Arguments[0]));
        Assert.Equal(charts, page.FindComponents<Vizor.ECharts.EChart>().Select(c => c.Instance));
    }

    [Fact]
    public async Task The_readers_zone_relabels_the_past_deployments_without_reading_the_history_again()
    {
        await _core.RunAsync(1);
        _clock.Advance(TimeSpan.FromMinutes(10));
        await _core.Meter.TickAsync();
        var page = Render<CascadingValue<Moments>>(p => p.Add(c => c.Value, Moments.For("Etc/UTC"))
            .AddChildContent<Cord19.Web.Components.Pages.Costs>());
        page.WaitForAssertion(() => Assert.Equal(3, page.FindComponents<Vizor.ECharts.EChart>().Count), Patience);
        var reads = ((ReadCountingCostClient)Services.GetRequiredService<ICostClient>()).HistoryReads;

        // The circuit learns the browser's zone after the page's first render (ReaderMoments).
        page.Render(p => p.Add(c => c.Value, Moments.For("Pacific/Auckland")).AddChildContent<Cord19.Web.Components.Pages.Costs>());

        var deadline = DateTime.UtcNow + Patience;
        while (!JSInterop.Invocations["vizorECharts.updateChart"].Any(i => Equals(i.Arguments[0], "cost-past")) && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        var past = JSInterop.Invocations["vizorECharts.updateChart"].Last(i => Equals(i.Arguments[0], "cost-past"));
        // The deployment started at 08:00 UTC, 21:00 in Auckland (summer time).
        Assert.Contains("2026-03-02 21:00", (string)past.Arguments[1]!);
        Assert.Equal(reads, ((ReadCountingCostClient)Services.GetRequiredService<ICostClient>()).HistoryReads);
    }

    [Fact]
    public async Task Near_the_cap_the_page_warns()
    {
        await _core.Settings.SaveAsync(new PipelineSettings { BudgetCapUsd = 0.10m, MaxLifetimeHours = null });
        await _core.RunAsync(1);
        await _core.RunAsync(2);
        _clock.Advance(TimeSpan.FromMinutes(90)); // the cluster is paused after phase 2: the instance is most of the burn
        await _core.Meter.TickAsync();

        var page = Render<Cord19.Web.Components.Pages.Costs>();

        Assert.Contains("of the $0.10 cap", page.Find("[data-testid=budget-alert]").TextContent);
    }

    protected override ValueTask DisposeTestResourcesAsync() => _core.DisposeAsync();
}

/// <summary>The header meter against a Channel-fed client: it shows each reading as it is pushed.</summary>
public sealed class CostMeterBadgeTests : PageTestContext
{
    private readonly FakeCostClient _costs;

    public CostMeterBadgeTests() : this(new FakeCostClient()) { }

    private CostMeterBadgeTests(FakeCostClient costs) : base(s => s.AddSingleton<ICostClient>(costs)) => _costs = costs;

    [Fact]
    public void Each_reading_pushed_replaces_the_last_and_an_aws_deployment_is_not_called_unbilled()
    {
        var badge = Render<CostMeterBadge>();
        Assert.Contains("no deployment", badge.Find("[data-testid=cost-meter]").TextContent);

        _costs.Push(Reading(isAwsEquivalent: true, accrued: 0.42m, budget: BudgetStatus.Unlimited));
        badge.WaitForAssertion(() => Assert.Contains("not billed · would be on AWS $0.420 · $0.210/h", badge.Find("[data-testid=cost-meter]").TextContent), Patience);

        _costs.Push(Reading(isAwsEquivalent: false, accrued: 4.5m, budget: new BudgetStatus(5m, null, 0.9, BudgetLevel.Warning, "Near the cap.")));
        badge.WaitForAssertion(() => Assert.StartsWith("$4.50 · $0.210/h · 90", badge.Find("[data-testid=cost-meter]").TextContent.Trim()), Patience);
        Assert.EndsWith("of budget", badge.Find("[data-testid=cost-meter]").TextContent.Trim());
    }

    private static CostSnapshot Reading(bool isAwsEquivalent, decimal accrued, BudgetStatus budget) =>
        new(Guid.NewGuid(), DateTime.UtcNow, isAwsEquivalent, [], accrued, 0.21m, null, budget, []);
}

/// <summary>The page's client, counting how often the cost history is read.</summary>
internal sealed class ReadCountingCostClient(ICostClient inner) : ICostClient
{
    private int _historyReads;

    public int HistoryReads => Volatile.Read(ref _historyReads);
    public CostSnapshot Latest => inner.Latest;
    public IAsyncEnumerable<CostSnapshot> WatchAsync(CancellationToken ct) => inner.WatchAsync(ct);
    public Task<Cord19.Core.Targets.Aws.DeploymentBill> AskAwsBillAsync(Guid deploymentId, CancellationToken ct) => inner.AskAwsBillAsync(deploymentId, ct);

    public Task<CostHistory> GetHistoryAsync(CancellationToken ct)
    {
        Interlocked.Increment(ref _historyReads);
        return inner.GetHistoryAsync(ct);
    }
}
