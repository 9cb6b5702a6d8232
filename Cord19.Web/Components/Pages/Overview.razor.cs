using Cord19.Core;
using Cord19.Core.Deployments;
using Cord19.Core.Live;
using Cord19.Core.Phases;
using Cord19.Core.Targets.Aws;
using Cord19.Web.Components.Dialogs;
using Cord19.Web.Model;
using Cord19.Web.ServiceClient;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Cord19.Web.Components.Pages;

/// <summary>The seven phases with live status, the step log of one phase and the deployment's resources.</summary>
public sealed partial class Overview : LiveComponent
{
    /// <summary>How this reader's moments are written (their time zone), from <see cref="Layout.ReaderMoments"/>.</summary>
    [CascadingParameter] public Moments Moments { get; set; } = Moments.OfServer;

    private const int MaxLogLines = 1_000;
    private const int DagsReady = 3;
    private const int WholeDataset = 6;

    private DeploymentSnapshot? _snapshot;
    private List<LogLine> _log = [];
    private Guid? _logRunId;
    private int _selectedPhase = Phase.First;
    private bool _busy;
    private bool _deleteResults;
    private string? _error;
    private IReadOnlyList<Cord19.Core.Costs.CostEstimate.PhaseEstimate> _estimates = [];
    private Cord19.Core.Execution.ProcessingForecast? _forecast;

    [Inject] public required IDeploymentClient Deployments { get; init; }
    [Inject] public required ISnackbar Snackbar { get; init; }
    [Inject] public required IDialogService Dialogs { get; init; }
    [Inject] public required ILogger<Overview> Logger { get; init; }

    private bool IsAwsDeployment => _snapshot?.Deployment is { IsLiveOnAws: true };

    /// <summary>
    /// The work is done and its results are home, but the deployment bills by the hour until phase 7: the moment an
    /// operator most easily forgets a server. Only on AWS (the local target bills nothing), and not while a phase runs.
    /// </summary>
    private bool DoneButBilling => IsAwsDeployment && _snapshot![WholeDataset].Status == PhaseStatus.Succeeded
        && !_snapshot.Phases.Any(p => p.Status == PhaseStatus.Running);

    /// <summary>
    /// The last phase asked for, before de-allocation, stopped part-way while the instance bills: a failure at night is the
    /// other moment a server is forgotten. Null otherwise, and while any phase runs (phase 7's own failure has its alert).
    /// </summary>
    private PhaseState? StoppedButBilling =>
        IsAwsDeployment && InstanceMetered && !_snapshot!.Phases.Any(p => p.Status == PhaseStatus.Running)
        && _snapshot.Phases.Where(p => p.LatestRun is not null).MaxBy(p => p.LatestRun!.RequestedAt) is
            { Phase.IsDeallocation: false, Status: PhaseStatus.Failed or PhaseStatus.Interrupted } stopped
            ? stopped
            : null;

    /// <summary>
    /// On AWS, when phase 3's DAGs went to an instance that has since been replaced (a spot interruption, then phase 1):
    /// when the replacement was recorded. Its Airflow has no DAGs, so the cards say to run phase 3 again, and phases 4 to
    /// 6, which the target would refuse, wait for it.
    /// </summary>
    private DateTime? ReplacedAfterSetUp => IsAwsDeployment ? DagsOnInstance.ReplacedAfterSetUp(_snapshot!.Resources, _snapshot[DagsReady].LatestRun) : null;

    /// <summary>What phase 3's card adds when its success was on the instance a replacement took over from.</summary>
    private string? NoticeOf(PhaseState state) => state.Phase.Number == DagsReady && ReplacedAfterSetUp is { } at
        ? $"The instance these DAGs went to was replaced at {Moments.Date(at)}: run phase 3 again to install them on the new one."
        : null;

    /// <summary>Phases 4 to 6 as their cards show them: held back until phase 3 has set up a replacement.</summary>
    private PhaseState Shown(PhaseState state) =>
        state is { Phase.Number: > DagsReady and <= WholeDataset, WhyNot: null } && ReplacedAfterSetUp is { } at
            ? state with { WhyNot = $"Phase {state.Phase.Number} needs phase 3 run again first: the instance phase 3 set up was replaced at {Moments.Date(at)}, and the new one's Airflow has no DAGs." }
            : state;

    /// <summary>The ledger still meters the instance: AWS has not ended it, or the panel has not yet seen that it did.</summary>
    private bool InstanceMetered => _snapshot!.Resources.Any(r => r.Kind == AwsResourceKinds.Instance && r.DeletedAt is null);

    protected override async Task OnInitializedAsync()
    {
        Subscribe(Deployments.WatchAsync, OnChangeAsync);
        Subscribe(WholeDatasetRunningAsync, _ => { });
        _estimates = await Deployments.GetEstimatesAsync(Stopping);
        _forecast = await Deployments.GetProcessingForecastAsync(Stopping);
        await ReloadAsync(followLatest: true);
    }

    protected override void OnAfterRender(bool firstRender)
    {
        base.OnAfterRender(firstRender);
        // While the person reads the phases, the first click's database work is compiled.
        if (firstRender && RendererInfo.IsInteractive) Deployments.PrepareForRunRequests();
    }

    private async Task OnChangeAsync(DeploymentChange change)
    {
        switch (change)
        {
            case LogLineAdded added when added.Line.RunId == _logRunId:
                AppendLog(added.Line);
                break;
            case LogLineAdded:
                return;
            case SettingsChanged:
                // Sizes, hours and prices are settings: only they change the estimates.
                _estimates = await Deployments.GetEstimatesAsync(Stopping);
                _forecast = await Deployments.GetProcessingForecastAsync(Stopping);
                break;
            case PhaseRunChanged changed:
                // A newly requested run is what the user wants to follow.
                if (changed.Run.Status == PhaseStatus.Running && changed.Run.StartedAt is null)
                    _selectedPhase = changed.Run.PhaseNumber;
                // A run that ended may have left a new corpus or a new measured run: phase 6's forecast is made again, and
                // on AWS its estimate, which then goes by the time phase 5 measured on the instance.
                if (changed.Run.Status != PhaseStatus.Running)
                {
                    _forecast = await Deployments.GetProcessingForecastAsync(Stopping);
                    _estimates = await Deployments.GetEstimatesAsync(Stopping);
                }
                // A run that ended is read again, so its last lines are shown whatever the push delivered.
                await ReloadAsync(followLatest: false, rereadLog: changed.Run.Id == _logRunId && changed.Run.Status != PhaseStatus.Running);
                break;
            case ResourcesChanged when change == ResourcesChanged.ReadAgain:
                // Changes may have been missed, lines of the log shown among them.
                await ReloadAsync(followLatest: false, rereadLog: true);
                break;
            default:
                await ReloadAsync(followLatest: false);
                break;
        }
    }

    private async Task ReloadAsync(bool followLatest, bool rereadLog = false)
    {
        try
        {
            _snapshot = await Deployments.GetSnapshotAsync(Stopping);
            _error = null;
        }
        catch (Cord19Exception ex)
        {
            _error = $"Could not read the deployment state: {ex.Message}";
            return;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The page keeps what it read last (a read fails in a change's callback, where the error boundary would take
            // the whole page), and does not show the third party's words: a driver's message names hosts and files.
            Logger.LogError(ex, "The Overview page could not read the deployment state.");
            _error = "Could not read the deployment state: an unexpected error, whose details are in the server log. " +
                     "What the page shows was read before; it reads again at the next change, or reload the page.";
            return;
        }

        if (followLatest)
        {
            var latest = _snapshot.Phases.Where(p => p.LatestRun is not null).MaxBy(p => p.LatestRun!.RequestedAt);
            if (latest is not null) _selectedPhase = latest.Phase.Number;
        }
        await LoadLogAsync(rereadLog);
    }

    private async Task LoadLogAsync(bool reread = false)
    {
        var runId = _snapshot?[_selectedPhase].LatestRun?.Id;
        if (runId == _logRunId && !reread) return;
        _logRunId = runId;
        if (runId is not { } id)
        {
            _log = [];
            return;
        }
        var stored = await Deployments.GetLogAsync(id, Stopping);
        // Lines pushed while the read was under way stay: the read may have started before they were written.
        var lastStored = stored.Count > 0 ? stored[^1].Id : 0;
        var pushedMeanwhile = _log.Where(l => l.RunId == id && l.Id > lastStored);
        _log = stored.Concat(pushedMeanwhile).TakeLast(MaxLogLines).ToList();
    }

    private void AppendLog(LogLine line)
    {
        if (_log.Count > 0 && _log[^1].Id >= line.Id) return;
        _log.Add(line);
        if (_log.Count > MaxLogLines) _log.RemoveRange(0, _log.Count - MaxLogLines);
    }

    /// <summary>Phase 6's step and time left, while it runs and its log is the one shown.</summary>
    private string? ProgressOf(PhaseState state) =>
        state.Phase.Number == WholeDataset && state.Status == PhaseStatus.Running && _forecast is { } forecast
        && state.LatestRun?.Id == _logRunId
            ? forecast.OnInstance
                ? Model.ProcessingProgress.DescribeOnInstance(forecast.Estimate, _log, DateTime.UtcNow)
                : Model.ProcessingProgress.Describe(forecast.Estimate, _log, DateTime.UtcNow)
            : null;

    /// <summary>A beat a second while phase 6 runs, so its time left counts down between log lines.</summary>
    private async IAsyncEnumerable<DateTime> WholeDatasetRunningAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync(ct))
            if (_snapshot?[WholeDataset].Status == PhaseStatus.Running) yield return DateTime.UtcNow;
    }

    private async Task SelectAsync(int phase)
    {
        _selectedPhase = phase;
        await LoadLogAsync();
    }

    private async Task RunAsync(RunRequest request)
    {
        // De-allocation shows its dry run first; on AWS (or when results go too) it asks for a typed word.
        if (request.PhaseNumber == Phase.Deallocation && request.Confirmation is null)
        {
            var dialog = await Dialogs.ShowAsync<DeallocationDialog>("De-allocate",
                new DialogParameters<DeallocationDialog> { { d => d.DeleteResults, request.DeleteResults } },
                new DialogOptions { MaxWidth = MaxWidth.Medium, FullWidth = true });
            if (await dialog.Result is not { Canceled: false, Data: RunRequest confirmed }) return;
            request = confirmed;
        }
        _busy = true;
        try
        {
            RunRequestOutcome? outcome = null;
            // A click the state database cannot take (out of reach, say) is said where the click was; the page stays.
            if (await UserAction.RunAsync(async () => outcome = await Deployments.RequestRunAsync(request, Stopping), Logger, Stopping) is { } failure)
            {
                Snackbar.Add($"Phase {request.PhaseNumber} was not started: {failure.Message}", Severity.Error);
                return;
            }
            if (outcome is null) return; // the page was left
            if (outcome.Accepted)
            {
                _selectedPhase = request.PhaseNumber;
                Snackbar.Add($"Phase {request.PhaseNumber} started.", Severity.Info);
            }
            else
            {
                Snackbar.Add(outcome.Refusal!, Severity.Warning);
            }
            await ReloadAsync(followLatest: false);
        }
        finally
        {
            _busy = false;
        }
    }

}
