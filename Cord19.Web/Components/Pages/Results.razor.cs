using Cord19.Core.Live;
using Cord19.Core.Phases;
using Cord19.Core.Results;
using Microsoft.AspNetCore.Components;
using Cord19.Web.ServiceClient;
using MudBlazor;

namespace Cord19.Web.Components.Pages;

/// <summary>A finished run's clusters and topics as tables; the interactive charts are a page of their own.</summary>
public sealed partial class Results : LiveComponent
{
    private readonly TableGroupDefinition<TopicResult> _byCluster = new() { GroupName = "Cluster", Selector = t => t.Cluster };
    private IReadOnlyList<RunManifest> _runs = [];
    private IReadOnlyList<string> _listingProblems = [];
    private string? _selectedRunId;
    private RunResult? _run;
    private string? _error;
    private bool _loading = true;

    [Inject] public required IResultStore Store { get; init; }
    [Inject] public required RunCache Runs { get; init; }
    [Inject] public required IDeploymentClient Deployments { get; init; }

    protected override async Task OnInitializedAsync()
    {
        Subscribe(Deployments.WatchAsync, OnChangeAsync);
        await LoadRunsAsync();
        _loading = false;
    }

    private async Task OnChangeAsync(DeploymentChange change)
    {
        // A finished processing run adds results; de-allocation may delete them; either may have been missed when the
        // feed says to read again.
        if (change is PhaseRunChanged { Run: { Status: PhaseStatus.Succeeded, PhaseNumber: 5 or 6 or 7 } } || change == ResourcesChanged.ReadAgain)
            await LoadRunsAsync();
    }

    private async Task LoadRunsAsync()
    {
        try
        {
            var listing = await Store.ListRunsAsync(Stopping);
            _runs = listing.Runs;
            _listingProblems = listing.Problems;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ResultFileException)
        {
            _error = $"Could not list results in {Store.Location}: {ex.Message}";
            return;
        }
        var keep = _runs.FirstOrDefault(r => r.RunId == _selectedRunId) ?? _runs.FirstOrDefault();
        if (keep is null)
        {
            _run = null;
            _selectedRunId = null;
        }
        else
        {
            await SelectRunAsync(keep.RunId);
        }
    }

    private async Task SelectRunAsync(string? runId)
    {
        if (runId is null) return;
        _selectedRunId = runId;
        try
        {
            // The summary: this page shows no documents, and a 100,000-document run took 0.7-1.0 s to read on every visit.
            _run = await Runs.GetSummaryAsync(runId);
            _error = null;
        }
        catch (ResultFileException ex)
        {
            _run = null;
            _error = $"Run {runId} cannot be shown. {ex.Message}";
        }
    }
}
