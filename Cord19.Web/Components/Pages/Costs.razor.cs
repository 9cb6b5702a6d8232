using Cord19.Core.Costs;
using Cord19.Web.Model;
using Cord19.Web.ServiceClient;
using Microsoft.AspNetCore.Components;
using Vizor.ECharts;

namespace Cord19.Web.Components.Pages;

/// <summary>Live meters, their history, past deployments and the estimate before deploying.</summary>
public sealed partial class Costs : LiveComponent
{
    /// <summary>How this reader's moments are written (their time zone), from <see cref="Layout.ReaderMoments"/>.</summary>
    [CascadingParameter] public Moments Moments { get; set; } = Moments.OfServer;

    private static readonly TimeSpan ChartRefresh = TimeSpan.FromSeconds(30);

    private CostSnapshot _snapshot = CostSnapshot.None(DateTime.UtcNow);
    private IReadOnlyList<CostEstimate.PhaseEstimate> _estimates = [];
    private string? _estimateProblem;
    private string? _estimateCaveat;
    private ChartOptions? _cumulative;
    private ChartOptions? _spot;
    private ChartOptions? _past;
    private string? _spotNote;
    private DateTime _chartsAt;
    private IReadOnlyList<PastDeploymentCost> _pastDeployments = [];
    private Moments? _pastWrittenIn;
    // The charts are made again for another deployment (its resources are other series); a refresh of the same one
    // is drawn into them (UpdateAsync after the render), not by making them again: that blanked them for a round trip
    // every 30 s.
    private Guid? _chartsOf;
    private bool _chartsRefreshed;
    private EChart? _cumulativeChart;
    private EChart? _spotChart;
    private EChart? _pastChart;
    /// <summary>The AWS deployment whose bill the reader picked, and what AWS said of it.</summary>
    private Guid _billOf;
    private bool _askingBill;
    private (MudBlazor.Severity Severity, string Text)? _bill;

    [Inject] public required ICostClient Meter { get; init; }
    [Inject] public required TimeProvider Clock { get; init; }
    [Inject] public required ILogger<Costs> Logger { get; init; }

    /// <summary>The past deployments on AWS, newest first: those whose bill Cost Explorer can tell.</summary>
    private IEnumerable<PastDeploymentCost> AwsDeployments => _pastDeployments.Where(d => d.Target == Core.Deployments.DeploymentTarget.Aws).Reverse();

    /// <summary>Asked on a click only: each answer is a request Cost Explorer charges for.</summary>
    private async Task AskBillAsync()
    {
        var of = _billOf;
        _askingBill = true;
        Core.Targets.Aws.DeploymentBill? bill = null;
        var failure = await UserAction.RunAsync(async () => bill = await Meter.AskAwsBillAsync(of, Stopping), Logger, Stopping);
        _askingBill = false;
        _bill = failure is not null ? (MudBlazor.Severity.Error, $"AWS's bill was not read: {failure.Message}")
            : bill is null ? null
            : (bill.BilledUsd is null ? MudBlazor.Severity.Warning : MudBlazor.Severity.Info, bill.Said);
    }

    private string Title => _snapshot.DeploymentId is null ? "Costs"
        : _snapshot.IsAwsEquivalent ? $"This deployment would have cost {Usd(_snapshot.Accrued)} on AWS so far"
        : $"This deployment has cost {Usd(_snapshot.Accrued)} so far";

    private IEnumerable<(string Label, string Value, string TestId)> Figures =>
    [
        ("Accrued", Usd(_snapshot.Accrued), "cost-accrued"),
        ("Burn rate", $"{Usd(_snapshot.BurnRatePerHour)}/h", "cost-burn"),
        ("Projected for the planned run", Usd(_snapshot.Projected), "cost-projected"),
        ("Budget used", _snapshot.Budget.CapUsd is null && _snapshot.Budget.MaxLifetimeHours is null ? "no limit"
            : $"{_snapshot.Budget.Fraction:P0} of {Limits(_snapshot.Budget)}", "cost-budget"),
    ];

    protected override async Task OnInitializedAsync()
    {
        _snapshot = Meter.Latest;
        // The meter publishes about once a second: rendered as it comes.
        Subscribe(Meter.WatchAsync, OnSnapshotAsync, TimeSpan.Zero);
        await RefreshChartsAsync();
    }

    /// <summary>
    /// The past deployments' labels are moments: written again, from the costs already read, in the zone the browser
    /// gave once the circuit was up.
    /// </summary>
    protected override void OnParametersSet()
    {
        if (_pastWrittenIn is null || _pastWrittenIn == Moments) return;
        WritePast();
        _chartsRefreshed = true;
    }

    private async Task OnSnapshotAsync(CostSnapshot snapshot)
    {
        var deploymentChanged = snapshot.DeploymentId != _snapshot.DeploymentId;
        _snapshot = snapshot;
        if (deploymentChanged || Clock.GetUtcNow().UtcDateTime - _chartsAt > ChartRefresh) await RefreshChartsAsync();
    }

    private async Task RefreshChartsAsync()
    {
        _chartsAt = Clock.GetUtcNow().UtcDateTime;
        var history = await Meter.GetHistoryAsync(Stopping);
        _estimates = history.Estimates;
        _estimateProblem = history.EstimateProblem;
        _estimateCaveat = history.EstimateCaveat;
        _pastDeployments = history.PastDeployments;
        if (!AwsDeployments.Any(d => d.DeploymentId == _billOf)) _billOf = AwsDeployments.FirstOrDefault()?.DeploymentId ?? Guid.Empty;
        WritePast();
        _cumulative = history.Cumulative.Count > 0 ? CostCharts.Cumulative(history.Cumulative) : null;
        _spot = history.Spot is { } spot ? CostCharts.SpotPrice(spot.Points, spot.From, spot.To, spot.MaxPricePerHour) : null;
        _spotNote = history.Spot?.Source;
        _chartsRefreshed = _chartsOf == _snapshot.DeploymentId;
        _chartsOf = _snapshot.DeploymentId;
    }

    private void WritePast()
    {
        _pastWrittenIn = Moments;
        _past = _pastDeployments.Count > 0
            ? CostCharts.PastDeployments(_pastDeployments.Select(d => (Moments.Date(d.CreatedAt), d.Usd)).ToList())
            : null;
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!_chartsRefreshed) return;
        _chartsRefreshed = false;
        // A chart that has just appeared drew its options when it was made.
        foreach (var chart in new[] { _cumulativeChart, _spotChart, _pastChart })
            if (chart is not null) await chart.UpdateAsync();
    }

    private static string Limits(BudgetStatus b) => string.Join(" or ", new[]
    {
        b.CapUsd is { } cap ? Money.Cap(cap) : null,
        b.MaxLifetimeHours is { } h ? $"{h:0.#} h" : null,
    }.OfType<string>());

    private static string Usd(decimal? value) => value is { } v ? Money.Usd(v) : "unknown";
}
