using Cord19.Core.Results;
using Cord19.Web.ServiceClient;
using Microsoft.AspNetCore.Components;

namespace Cord19.Web.Components;

/// <summary>What the pages that show a finished run share: the list of runs, the run cache, and problems to show.</summary>
public abstract class ResultPageBase : ComponentBase
{
    [Inject] public required IResultStore Store { get; init; }
    [Inject] public required RunCache Runs { get; init; }
    [Inject] public required NavigationManager Navigation { get; init; }

    /// <summary>Finished runs, newest first.</summary>
    protected IReadOnlyList<RunManifest> AvailableRuns { get; private set; } = [];

    /// <summary>True once the run list has been read, so "no results yet" is not shown while loading.</summary>
    protected bool RunsLoaded { get; private set; }

    /// <summary>Why the chosen run cannot be shown, each naming the file and the problem.</summary>
    protected IReadOnlyList<string> Problems { get; set; } = [];

    /// <summary>The run named in the address (?run=…), or the newest.</summary>
    [SupplyParameterFromQuery(Name = "run")] public string? RunId { get; set; }

    protected async Task LoadRunListAsync()
    {
        AvailableRuns = (await Store.ListRunsAsync(CancellationToken.None)).Runs;
        RunsLoaded = true;
    }

    /// <summary>Reads the run list, then shows the run asked for (or the newest) unless it is already shown.</summary>
    protected async Task ShowRequestedRunAsync(string? shown, Func<string, Task> show)
    {
        await LoadRunListAsync();
        var runId = RunId ?? AvailableRuns.FirstOrDefault()?.RunId;
        if (runId is not null && runId != shown) await show(runId);
    }

    /// <summary>Shows another run by changing the address, so that the choice survives a reload and can be shared.</summary>
    protected Task NavigateToRunAsync(string? runId)
    {
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("run", runId));
        return Task.CompletedTask;
    }
}
