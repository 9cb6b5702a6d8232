using System.Text.Json;
using Cord19.Core.Deployments;
using Cord19.Core.Phases;
using Cord19.Core.Settings;
using Microsoft.Extensions.Logging;

namespace Cord19.Core.Execution;

/// <summary>
/// The one entry point for "run this phase", shared by the pages and the HTTP API: checks the rules and
/// settings, records the run and hands it to the job system. Returns at once.
/// </summary>
public sealed class PhaseService(
    DeploymentStore store,
    SettingsStore settingsStore,
    IPhaseJobScheduler scheduler,
    RunCancellations cancellations,
    ProcessingEstimator processing,
    ILogger<PhaseService> logger)
{
    /// <summary>What a click is told when its run was recorded but its job could not be queued (the job storage's own words go to the log).</summary>
    public const string NotQueued =
        "The phase could not be handed to the job system, so it was not started: its job storage (hangfire.db in the data directory, or " +
        "the PostgreSQL in CORD19_POSTGRES) refused it, and the server log has the details. Check that storage, then run the phase again.";

    private const int WholeDataset = 6;

    public async Task<RunRequestOutcome> RequestAsync(RunRequest request, CancellationToken ct = default)
    {
        var settings = await settingsStore.GetAsync(ct);
        var errors = settingsStore.Validate(settings);
        if (errors.Count > 0 && request.PhaseNumber != Phase.Deallocation)
            return RunRequestOutcome.Refused("The settings need fixing first: " + string.Join(" ", errors));

        if (request.PhaseNumber == Phase.Deallocation && request.RequestedBy is null
            && await store.GetWithRunsAsync(ct: ct) is { Deployment: { HasEnded: false } deployment }
            && DeallocationPlanner.ConfirmationWordFor(deployment) is { } word
            && !string.Equals(request.Confirmation?.Trim(), word, StringComparison.Ordinal))
            return RunRequestOutcome.Refused(
                $"De-allocating this AWS deployment deletes its resources: type {word} to confirm. " +
                "The dry run (the de-allocation dialog, or GET /api/deployment/deallocation-plan) lists what will be deleted.");

        // Locally the whole corpus is processed in this machine's memory: a run that cannot fit is refused up front. The
        // deployment's target decides, not Settings' (changed since, they apply from the next deployment).
        if (request.PhaseNumber == WholeDataset && await DeploymentPinning.NextPhaseTargetAsync(store, settings, ct) == DeploymentTarget.Local
            && await processing.ForecastAsync(ct) is { Refusal: { } tooLarge })
            return RunRequestOutcome.Refused(tooLarge);

        var outcome = await store.RequestRunAsync(request, settings.Target, settings.AwsRegion, JsonSerializer.Serialize(settings, SettingsStore.Json), ct);
        if (!outcome.Accepted) return outcome;

        if (outcome.CancelledRunId is { } cancelled)
            cancellations.Cancel(cancelled);

        try
        {
            scheduler.Enqueue(outcome.Run!.Id);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Phase {Phase} run {RunId} could not be queued.", request.PhaseNumber, outcome.Run!.Id);
            await store.CompleteRunAsync(outcome.Run!.Id, PhaseStatus.Failed, NotQueued, CancellationToken.None);
            return RunRequestOutcome.Refused(NotQueued);
        }
        return outcome;
    }
}
