using Cord19.Core.Deployments;
using Cord19.Core.Execution;
using Cord19.Core.Phases;
using Cord19.Web.ServiceClient;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Cord19.Web.Components.Dialogs;

/// <summary>Closes with the <see cref="RunRequest"/> for phase 7, confirmation included, or cancels.</summary>
public sealed partial class DeallocationDialog
{
    private DeallocationPlan? _plan;
    private string? _error;
    private string? _typed;
    private bool _deleteResults;

    [CascadingParameter] public required IMudDialogInstance Dialog { get; init; }
    [Inject] public required IDeploymentClient Deployments { get; init; }
    [Inject] public required ILogger<DeallocationDialog> Logger { get; init; }
    [Parameter] public bool DeleteResults { get; set; }

    /// <summary>
    /// What must be typed: the deployment's name on AWS (money and data at stake), "delete results" locally when the
    /// results go too; nothing for a local de-allocation that keeps them (one click, like the run buttons).
    /// </summary>
    private string? RequiredWord => _plan?.ConfirmationWord ?? (_deleteResults ? LocalResultsWord : null);

    private const string LocalResultsWord = "delete results";

    private bool Confirmed => _plan is not null && (RequiredWord is not { } word || string.Equals(_typed?.Trim(), word, StringComparison.Ordinal));

    protected override async Task OnInitializedAsync()
    {
        _deleteResults = DeleteResults;
        // Without the dry run nothing is shown to confirm: the fix (credentials, permissions) comes first.
        if (await UserAction.RunAsync(async () => _plan = await Deployments.PlanDeallocationAsync(CancellationToken.None), Logger) is { } problem)
            _error = $"The dry run failed, so nothing can be confirmed yet: {problem.Message}";
        else if (_plan is null)
            _error = "There is no live deployment: nothing to de-allocate.";
        // The title is drawn by the dialog's instance, which does not render again with its content: it said "this
        // deployment" over an AWS deployment's dry run.
        Dialog.StateHasChanged();
    }

    private void Confirm()
    {
        if (Confirmed)
            Dialog.Close(DialogResult.Ok(new RunRequest(Phase.Deallocation, DeleteResults: _deleteResults,
                Confirmation: _plan!.ConfirmationWord is null ? "" : _typed!.Trim())));
    }
}
