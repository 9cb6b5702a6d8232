using Cord19.Core.Costs;
using Cord19.Core.Deployments;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// What AWS billed a deployment, by its tag, beside what the meter counted: the way to see that a deployment torn down
/// costs nothing more, and that the meter's prices hold. <paramref name="Said"/> is the answer in words for the page;
/// <paramref name="BilledUsd"/> is null when AWS's bill could not be split by the deployment (the tag not active).
/// </summary>
public sealed record DeploymentBill(Guid DeploymentId, string Said, IReadOnlyList<BilledService> Services, decimal? BilledUsd, decimal? MeteredUsd)
{
    /// <summary>Cost Explorer charges $0.01 a request (https://aws.amazon.com/aws-cost-management/aws-cost-explorer/pricing/).</summary>
    public const string RequestPrice = "$0.01";

    /// <summary>
    /// Asks Cost Explorer. The tag's state is asked first (free), so that an inactive tag costs no billed request.
    /// Throws <see cref="Core.Aws.AwsException"/> when AWS refuses (no credentials, no ce: permission).
    /// </summary>
    public static async Task<DeploymentBill> AskAsync(IAwsCloud cloud, Deployment deployment, decimal? metered, DateTime now, CancellationToken ct)
    {
        var key = ResourceTags.DeploymentKey;
        switch (await cloud.CostAllocationTagAsync(key, ct))
        {
            case null:
                return new(deployment.Id, $"Cost Explorer has not seen the tag `{key}` on any resource yet: AWS lists a tag up to 24 hours after a " +
                    "resource first carries it. Ask again tomorrow.", [], null, metered);
            case CostAllocationTagState.Inactive:
                return new(deployment.Id, $"AWS's bill is not split by the panel's tag `{key}`, so it cannot say what this deployment cost. An " +
                    "administrator of the account (of its organization's management account, if it has one) activates it once: " +
                    $"`aws ce update-cost-allocation-tags-status --cost-allocation-tags-status TagKey={key},Status=Active`. AWS splits the costs " +
                    "from then on, and earlier ones after a backfill (Billing console → Cost allocation tags → Backfill tags).", [], null, metered);
        }

        // Cost Explorer's end is exclusive: the deployment's last day (today, while it lives) is asked for too.
        var from = DateOnly.FromDateTime(deployment.CreatedAt);
        var until = DateOnly.FromDateTime(deployment.EndedAt ?? now).AddDays(1);
        var days = from == until.AddDays(-1) ? $"on {from:yyyy-MM-dd}" : $"from {from:yyyy-MM-dd} to {until.AddDays(-1):yyyy-MM-dd}";
        var meter = metered is { } m ? $"The meter counted {Money.Usd(m)}." : "The meter's figure is unknown (a price is missing).";
        IReadOnlyList<BilledService> services;
        try
        {
            services = await cloud.BilledAsync(key, deployment.Id.ToString(), from, until, ct);
        }
        catch (Core.Aws.AwsException ex) when (ex.Code == "DataUnavailableException")
        {
            // Cost Explorer's answer before it has prepared an account's data: one that has just enabled it waits a day.
            return new(deployment.Id, $"Cost Explorer has no data yet {days} ({ex.Code}): an account that has just enabled Cost Explorer " +
                $"has its current month's costs about 24 hours later. Ask again tomorrow. {meter}", [], null, metered);
        }
        if (services.Count == 0)
            return new(deployment.Id, $"AWS's bill has nothing tagged with this deployment {days} yet: a day's costs reach Cost Explorer within " +
                $"about 24 hours. {meter}", [], 0, metered);

        var billed = services.Sum(s => s.Usd);
        var open = services.Any(s => s.Estimated) ? " The figures of days still open may grow." : "";
        return new(deployment.Id,
            $"AWS billed {Money.Usd(billed)} for this deployment's tagged resources {days}: {string.Join(", ", services.Select(s => $"{s.Service} {Money.Usd(s.Usd)}"))}. " +
            $"{meter}{open} Costs AWS bills to nothing that carries the tag are not in AWS's figure, nor costs from before the tag was active.",
            services, billed, metered);
    }
}

/// <summary>What AWS billed one of the panel's deployments, asked of the account in the deployment's own region.</summary>
public sealed class DeploymentBills(DeploymentStore store, Settings.SettingsStore settingsStore, IAwsCloudFactory clouds, TimeProvider clock)
{
    public async Task<DeploymentBill> AskAsync(Guid deploymentId, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (await store.GetWithRunsAsync(deploymentId, ct) is not var (deployment, runs))
            throw new DeploymentNotFoundException(deploymentId);
        if (deployment.Target != DeploymentTarget.Aws || deployment.Region is not { } region)
            return new(deployment.Id, "This deployment ran on this machine: AWS billed nothing for it.", [], 0, 0);
        var metered = Costs.CostMeterService.Measure(deployment, runs, await settingsStore.GetAsync(ct), deployment.EndedAt ?? now).Accrued;
        return await DeploymentBill.AskAsync(clouds.Open(region), deployment, metered, now, ct);
    }
}
