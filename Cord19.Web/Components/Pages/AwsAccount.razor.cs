using Cord19.Core.Live;
using Cord19.Core.Targets.Aws;
using Cord19.Web.Model;
using Cord19.Web.ServiceClient;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Cord19.Web.Components.Pages;

/// <summary>The pre-deployment checklist (with role creation), the live AWS deployment's status, and the orphan finder.</summary>
public sealed partial class AwsAccount : LiveComponent
{
    private IReadOnlyList<CheckItem>? _checks;
    private IReadOnlyList<AwsReconciler.RegionOrphans>? _orphans;
    private Guid? _liveAwsDeployment;
    private string? _message;
    private Severity _messageSeverity = Severity.Info;
    private bool _busy;
    private bool _messageAboutOrphans;

    [Inject] public required IAwsClient Account { get; init; }
    [Inject] public required IDeploymentClient Deployments { get; init; }
    [Inject] public required ILogger<AwsAccount> Logger { get; init; }

    /// <summary>A shared role is missing, incomplete, or without the role boundary: "Create the roles" mends each.</summary>
    private bool RolesMissing => _checks?.Any(c => c.Name.StartsWith("IAM role", StringComparison.Ordinal) && c.Outcome != CheckOutcome.Passed) == true;

    protected override async Task OnInitializedAsync()
    {
        Subscribe(Deployments.WatchAsync, async change =>
        {
            if (change is PhaseRunChanged || change == ResourcesChanged.ReadAgain) await LoadDeploymentAsync();
        });
        await LoadDeploymentAsync();
    }

    private async Task LoadDeploymentAsync()
    {
        var snapshot = await Deployments.GetSnapshotAsync(Stopping);
        _liveAwsDeployment = snapshot.Deployment is { IsLiveOnAws: true } d ? d.Id : null;
    }

    private Task RunChecksAsync() => BusyAsync(orphans: false, async () =>
    {
        _checks = await Account.RunChecklistAsync(Stopping);
        var (summary, nothingFailed) = ChecklistSummary.Of(_checks);
        Say(summary, nothingFailed ? Severity.Success : Severity.Warning);
    });

    private Task CreateRolesAsync() => BusyAsync(orphans: false, async () =>
    {
        var created = await Account.CreateRolesAsync(Stopping);
        Say($"Roles ready: {string.Join("; ", created)}.", Severity.Success);
        _checks = await Account.RunChecklistAsync(Stopping);
    });

    private Task FindOrphansAsync() => BusyAsync(orphans: true, async () => _orphans = await Account.FindOrphansAsync(Stopping));

    private Task RotatePasswordAsync() => BusyAsync(orphans: false, async () => Say(await Account.RotateAirflowPasswordAsync(Stopping), Severity.Success));

    private Task DeleteOrphansAsync(string region, string confirmation) => BusyAsync(orphans: true, async () =>
    {
        var outcome = await Account.DeleteOrphansAsync(region, confirmation, Stopping);
        _orphans = _orphans?.Select(r => r.Region == region ? r with { Resources = outcome.Left } : r).ToList();
        if (outcome.Refusal is { } refusal) Say(refusal, Severity.Warning);
        else if (outcome.Failures.Count == 0) Say($"Deleted {outcome.Deleted.Count}; {outcome.Left.Count} orphans left in {outcome.Region}.", Severity.Success);
        else Say($"Deleted {outcome.Deleted.Count}; could not delete {string.Join(" | ", outcome.Failures)}. Fix what the messages name and delete again.", Severity.Error);
    });

    /// <summary>Runs an action; its message shows in the panel it belongs to (the checklist's, or the orphans').</summary>
    private async Task BusyAsync(bool orphans, Func<Task> action)
    {
        _busy = true;
        _message = null;
        _messageAboutOrphans = orphans;
        if (await UserAction.RunAsync(action, Logger, Stopping) is { } problem) Say(problem.Message, Severity.Error);
        _busy = false;
    }

    private void Say(string message, Severity severity) => (_message, _messageSeverity) = (message, severity);

    /// <summary>"us-east-2", "us-east-2 and eu-west-1", "us-east-2, eu-west-1 and ap-south-1".</summary>
    private static string Listed(IReadOnlyList<string> regions) =>
        regions.Count == 1 ? regions[0] : $"{string.Join(", ", regions.Take(regions.Count - 1))} and {regions[^1]}";

    private static string Icon(CheckOutcome outcome) => outcome switch
    {
        CheckOutcome.Passed => Icons.Material.Filled.CheckCircle,
        CheckOutcome.Warning => Icons.Material.Filled.Help,
        _ => Icons.Material.Filled.Cancel,
    };

    private static Color Colour(CheckOutcome outcome) => outcome switch
    {
        CheckOutcome.Passed => Color.Success,
        CheckOutcome.Warning => Color.Warning,
        _ => Color.Error,
    };
}
