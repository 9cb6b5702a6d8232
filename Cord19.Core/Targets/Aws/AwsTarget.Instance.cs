using Cord19.Core.Airflow;
using Cord19.Core.Aws;
using Cord19.Core.Execution;

namespace Cord19.Core.Targets.Aws;

public sealed partial class AwsTarget
{
    /// <summary>Phase 1: the deployment's bucket, the instance role, the admin password, the network rule, the spot instance, Airflow.</summary>
    private async Task DeployInstanceAsync(AwsRun run)
    {
        var (context, cloud, names) = run;
        await context.StepAsync("bucket", async ct =>
        {
            await run.Context.RecordResourceAsync(AwsResourceKinds.Bucket, names.Bucket, "Results and the files shipped to the instance");
            var unsupported = await cloud.EnsureBucketAsync(names.Bucket, Tags(run), ct);
            if (unsupported.Count > 0)
                await context.LogAsync($"This S3 server does not implement {string.Join(" and ", unsupported)} (an S3-compatible server, not AWS): the bucket is recorded in the ledger but not fully hardened or tagged.", Deployments.LogLevel.Warning);
            if (unsupported.Count == 0) await context.LogAsync($"Bucket s3://{names.Bucket}: public access blocked, encrypted by default, tagged.");
        });

        await context.StepAsync("instance-role", async ct =>
        {
            await cloud.EnsureRoleAsync(AwsRoles.Instance, ct);
            await context.LogAsync($"Role and instance profile {AwsNames.InstanceRole} ready (shared by deployments; kept by phase 7).");
        });

        await context.StepAsync("admin-password", ct => EnsurePasswordAsync(run, names.AirflowPasswordParameter, "Airflow admin password", ct));

        await context.StepAsync("security-group", async ct =>
        {
            var (group, vpc, cidr) = await EnsureSecurityGroupAsync(run, names.AirflowSecurityGroup,
                "CORD-19 Airflow: web UI and API for the operator only", AwsNames.AirflowPort, ct);
            await context.LogAsync($"Security group {group} in {vpc}: port {AwsNames.AirflowPort} open to {cidr} only; no SSH (commands go through SSM).");
        });

        await context.StepAsync("spot-instance", async ct =>
        {
            var settings = context.Settings;
            await run.Context.RecordResourceAsync(AwsResourceKinds.Instance, names.InstanceClientToken, $"{settings.InstanceType} spot, max ${settings.SpotMaxPricePerHour}/h");
            var existing = await cloud.FindInstanceAsync(names.InstanceClientToken, ct);
            if (existing is { State: "terminated" or "shutting-down" })
                throw new PhaseFailedException(
                    $"This deployment's spot instance {existing.InstanceId} is {existing.State} ({existing.StateReason ?? "no reason given"}). " +
                    "Run phase 7 to clean up, then phase 1 again for a new deployment.");
            var instance = existing ?? await LaunchAsync(run, ct);
            await context.RecordResourceAsync(AwsResourceKinds.Instance, names.InstanceClientToken,
                $"{instance.InstanceId}: {settings.InstanceType} spot, max ${settings.SpotMaxPricePerHour}/h");
            await context.LogAsync($"Spot instance {instance.InstanceId} ({instance.State}){(instance.SpotRequestId is { } r ? $", spot request {r}" : "")}; IMDSv2 required.");
        });

        var running = await WaitForInstanceAsync(run);
        await context.StepAsync("airflow-health", async _ =>
        {
            var client = await ConnectAirflowAsync(run, running);
            await Poll.UntilAsync(context, $"Airflow answering healthy at http://{running.PublicIp}:{AwsNames.AirflowPort} (first boot installs it)", options.AirflowReadyLimit,
                async ct =>
                {
                    try
                    {
                        var health = await client.GetHealthAsync(ct);
                        return health.IsHealthy ? health : null;
                    }
                    catch (AirflowException)
                    {
                        return null; // not up yet
                    }
                });
            await context.LogAsync($"Airflow is healthy at http://{running.PublicIp}:{AwsNames.AirflowPort} (user {AwsNames.AirflowUser}, password in {names.AirflowPasswordParameter}).");
        });
    }

    private async Task<InstanceState> LaunchAsync(AwsRun run, CancellationToken ct)
    {
        var (context, cloud, names) = run;
        var settings = context.Settings;
        if (await cloud.SpotPriceAsync(settings.InstanceType, ct) is { } price && price > settings.SpotMaxPricePerHour)
            throw new PhaseFailedException(
                $"The spot price of {settings.InstanceType} in {cloud.Region} is ${price}/h, above your max of ${settings.SpotMaxPricePerHour}/h. " +
                "Raise the spot max price or pick another instance type in Settings, then run phase 1 again.");
        var vpc = await cloud.DefaultVpcAsync(ct);
        var group = await cloud.FindSecurityGroupAsync(names.AirflowSecurityGroup, vpc, ct)
            ?? throw new PhaseFailedException($"Security group {names.AirflowSecurityGroup} is missing. Run phase 1 again.");
        var spec = new InstanceSpec(names.InstanceClientToken, await cloud.UbuntuImageAsync(ct), settings.InstanceType, settings.SpotMaxPricePerHour,
            settings.EbsGigabytes, group, AwsNames.InstanceRole,
            AirflowUserData.Render(settings.AirflowVersion, cloud.Region, names.AirflowPasswordParameter, names.Bucket,
                settings.MaxLifetimeHours is { } hours ? TimeSpan.FromHours(hours) : null), Tags(run));

        // A new instance profile takes a few seconds to reach EC2; RunInstances says so as an invalid parameter.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await cloud.RunSpotInstanceAsync(spec, ct);
            }
            catch (AwsException ex) when (ex.Code == "InvalidParameterValue" && ex.AwsMessage.Contains("instance profile", StringComparison.OrdinalIgnoreCase) && attempt < 12)
            {
                await context.LogAsync("The instance profile is not visible to EC2 yet; trying again in a few seconds.");
                await Task.Delay(options.PollInterval, clock, ct);
            }
        }
    }

    private async Task<InstanceState> WaitForInstanceAsync(AwsRun run)
    {
        var (context, cloud, names) = run;
        InstanceState? running = null;
        await context.StepAsync("instance-running", async _ =>
        {
            running = await Poll.UntilAsync(context, "the spot instance running with a public address", options.InstanceStartLimit, async ct =>
            {
                var state = await cloud.FindInstanceAsync(names.InstanceClientToken, ct)
                    ?? throw new PhaseFailedException("The spot instance was not found. Run phase 1 again.");
                if (state.State is "terminated" or "shutting-down" or "stopped")
                    throw new PhaseFailedException(
                        $"The spot instance {state.InstanceId} is {state.State}: {state.StateReason ?? "AWS gave no reason"}" +
                        (state.SpotState is { } s ? $" (spot request {s})" : "") + ". Run phase 7, then phase 1 again (perhaps with another instance type or a higher max price).");
                return state is { State: "running", PublicIp: not null } ? state : null;
            });
            await context.LogAsync($"Instance {running.InstanceId} running at {running.PublicIp}.");
        });
        return running!;
    }

    private Task<IAirflowClient> ConnectAirflowAsync(AwsRun run, InstanceState instance) =>
        InstanceAirflow.ConnectAsync(airflow, run.Cloud, run.Names, instance.PublicIp!, run.Context.Settings.AirflowVersion, run.Context.Cancellation);

    /// <summary>For phases 3 to 6: the running instance and its Airflow, or a message saying to run phase 1.</summary>
    private async Task<(InstanceState Instance, IAirflowClient Airflow)> RequireAirflowAsync(AwsRun run)
    {
        var instance = await run.Cloud.FindInstanceAsync(run.Names.InstanceClientToken, run.Context.Cancellation);
        if (instance is not { State: "running", PublicIp: not null })
            throw new PhaseFailedException(instance is null
                ? "This deployment has no instance. Run phase 1 first."
                : $"The instance {instance.InstanceId} is {instance.State} ({instance.StateReason ?? "no reason given"}). Run phase 7, then phase 1 again.");
        return (instance, await ConnectAirflowAsync(run, instance));
    }
}
