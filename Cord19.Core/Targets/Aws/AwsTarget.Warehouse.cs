using Cord19.Core.Aws;
using Cord19.Core.Execution;
using Cord19.Core.Settings;

namespace Cord19.Core.Targets.Aws;

public sealed partial class AwsTarget
{
    private const string Phase2Stopped = "No cluster was created; run phase 2 again then.";

    /// <summary>
    /// Phase 2: Redshift does the seed's real work, then stops billing. The data lake's table is checked (<see cref="DataLakeCheck"/>:
    /// there, in AWS's lake bucket, in this region, not empty) before anything is created; a private single-node cluster reads it through an
    /// external schema and UNLOADs the CORD-19 metadata into the deployment's bucket (gzip CSV with a header), which
    /// phase 3 ships to the instance for phase 4; then the cluster is paused (storage billing only) until phase 7
    /// deletes it. With the panel's own metadata file or a release chosen in Settings, no cluster is created at all.
    /// </summary>
    private async Task DeployWarehouseAsync(AwsRun run)
    {
        var (context, cloud, names) = run;
        var settings = context.Settings;
        if (settings.AwsMetadataSource == PipelineSettings.PanelMetadataSource)
        {
            await context.StepAsync("data-source", _ => context.LogAsync(
                $"Metadata source: the panel's own file ({(settings.UsesShippedSample ? "the shipped CORD-19 sample" : settings.MetadataPath)}), as chosen in Settings. " +
                "No Redshift cluster is created; phase 3 ships the file to the instance."));
            return;
        }
        if (settings.AwsMetadataSource == PipelineSettings.ReleaseMetadataSource)
        {
            await context.StepAsync("data-source", _ => context.LogAsync(
                $"Metadata source: CORD-19 release {settings.AwsRelease}, as chosen in Settings. No Redshift cluster is created; " +
                "in phase 3 the instance downloads the release into the deployment's bucket itself."));
            return;
        }
        string? roleArn = null;

        // A cluster that cannot read the lake would bill its node-hours for nothing.
        await context.StepAsync("data-lake", async ct => await RefuseOrLogAsync(context, await DataLakeCheck.JudgeAsync(cloud, settings, ct), stopped: Phase2Stopped));

        string? schedulerArn = null;
        await context.StepAsync("roles", async ct =>
        {
            await CheckRoleBoundaryAsync(run, Phase2Stopped, ct);
            roleArn = await cloud.EnsureRoleAsync(AwsRoles.SpectrumIn(names.Account), names.Account, ct);
            await context.LogAsync($"Role {roleArn} lets Redshift Spectrum read the Glue catalogue and the data lake, and write the export (shared; kept by phase 7).");
            // A refusal IAM can foresee (a service control policy, a narrower boundary) stops here, before the cluster bills.
            await RefuseOrLogAsync(context, await SpectrumAccessCheck.JudgeAsync(cloud, settings, names.Account, roleArn, ct), stopped: Phase2Stopped);
            schedulerArn = await cloud.EnsureRoleAsync(AwsRoles.Scheduler, names.Account, ct);
            await context.LogAsync($"Role {schedulerArn} lets Redshift's scheduler pause the project's clusters, and nothing else (shared; kept by phase 7).");
        });

        // The group's id goes to the cluster as it came: a group made seconds before may not be found by its name yet.
        string? redshiftGroup = null;
        await context.StepAsync("security-group", async ct =>
        {
            // Private cluster, spoken to only through the Redshift Data API, which needs no open port; nothing on the instance
            // connects to it. Its own group, with no inbound rule, rather than the VPC's default one, which admits its members.
            var (group, _, _) = await EnsureSecurityGroupAsync(run, names.RedshiftSecurityGroup, "CORD-19 Redshift: no inbound traffic (Redshift Data API only)", null, ct);
            redshiftGroup = group;
            await context.LogAsync($"Security group {group}: no inbound rule at all; the panel reaches the cluster through the Redshift Data API only.");
        });

        await context.StepAsync("master-password", ct => EnsurePasswordAsync(run, names.RedshiftPasswordParameter, "Redshift master password", ct));

        var exported = false;
        await context.StepAsync("cluster", async ct =>
        {
            var description = $"{settings.RedshiftNodes} × {settings.RedshiftNodeType}, private";
            if (await cloud.FindClusterAsync(names.Cluster, ct) is { } existing)
            {
                await context.RecordResourceAsync(AwsResourceKinds.Cluster, names.Cluster, description);
                await context.LogAsync($"Cluster {existing.Identifier} exists ({existing.Status}).");
                return;
            }
            if (await cloud.ObjectSizeAsync(names.AccountBucket, names.ExportKey, ct) is > 0)
            {
                // Its cluster was deleted outside the panel after the export: a new one would bill for nothing.
                exported = true;
                await context.LogAsync($"The export s3://{names.Bucket}/{names.ExportKey} is there already, and cluster {names.Cluster} is not: " +
                    "no cluster is made again, since phase 3 needs the export only.");
                return;
            }
            var storage = await context.RecordResourceAsync(AwsResourceKinds.Cluster, names.Cluster, description);
            var password = await cloud.GetSecretAsync(names.RedshiftPasswordParameter, ct)
                ?? throw new PhaseFailedException($"The password parameter {names.RedshiftPasswordParameter} is missing. Run phase 2 again.");
            var nodes = await context.RecordResourceAsync(AwsResourceKinds.ClusterCompute, names.Cluster, $"{settings.RedshiftNodes} × {settings.RedshiftNodeType} running (billed per node-hour until paused)");
            await EndEntriesIfRefusedAsync(context, [storage, nodes], () => CreateClusterAsync(run, new ClusterSpec(names.Cluster, settings.RedshiftNodeType,
                settings.RedshiftNodes, AwsNames.Database, AwsNames.MasterUser, password, roleArn!, redshiftGroup!, Tags(run)), ct));
            await context.LogAsync($"Cluster {names.Cluster} requested: {settings.RedshiftNodes} × {settings.RedshiftNodeType}, encrypted, private (no public address).");
        });

        if (exported) return;
        try
        {
            await context.StepAsync("pause-schedule", ct => SchedulePauseAsync(run, schedulerArn!, ct));

            await context.StepAsync("cluster-available", async ct =>
            {
                // Run again after the export: nothing to do. Run again after a pause without an export: resume it.
                if (await cloud.ObjectSizeAsync(names.AccountBucket, names.ExportKey, ct) is > 0)
                {
                    exported = true;
                    await context.LogAsync($"The export s3://{names.Bucket}/{names.ExportKey} is there already.");
                    return;
                }
                if (await cloud.FindClusterAsync(names.Cluster, ct) is { Status: "paused" })
                {
                    var nodes = await context.RecordResourceAsync(AwsResourceKinds.ClusterCompute, names.Cluster, $"{settings.RedshiftNodes} × {settings.RedshiftNodeType} running (billed per node-hour until paused)");
                    await EndEntriesIfRefusedAsync(context, [nodes], () => cloud.ResumeClusterAsync(names.Cluster, ct));
                    await context.LogAsync($"Cluster {names.Cluster} was paused before its export; resuming it.");
                }
                var cluster = await Poll.UntilAsync(context, $"cluster {names.Cluster} available", options.ClusterLimit, async c =>
                {
                    var state = await cloud.FindClusterAsync(names.Cluster, c)
                        ?? throw new PhaseFailedException($"Cluster {names.Cluster} disappeared while it was being created. Run phase 2 again.");
                    return state.Status == "available" ? state : null;
                });
                await context.LogAsync($"Cluster available (private endpoint {cluster.Address}:{cluster.Port}).");
            });

            if (!exported)
            {
                await context.StepAsync("external-schema", async ct =>
                {
                    await RunSpectrumStatementAsync(run, SpectrumStatement.ExternalSchema, roleArn!,
                        $"create external schema if not exists {AwsNames.ExternalSchema} from data catalog database '{AwsNames.LakeDatabase}' iam_role '{roleArn}'", ct);
                    await context.LogAsync($"External schema {AwsNames.ExternalSchema} over the Glue database {AwsNames.LakeDatabase}.");
                });

                await context.StepAsync("test-query", async ct =>
                {
                    var result = await RunSpectrumStatementAsync(run, SpectrumStatement.LakeCount, roleArn!,
                        $"select count(*) from {AwsNames.ExternalSchema}.{AwsNames.LakeTable}", ct);
                    if (!long.TryParse(result.FirstValue, out var rows) || rows == 0)
                        throw new PhaseFailedException(
                            $"The data lake's table {AwsNames.ExternalSchema}.{AwsNames.LakeTable} is empty (count: {result.FirstValue ?? "none"}). " +
                            "Choose 'the panel's metadata file' as the AWS metadata source in Settings and run phase 2 again; the cluster is paused meanwhile, and phase 7 removes it.");
                    await context.LogAsync($"Test query: {rows:N0} papers in {AwsNames.ExternalSchema}.{AwsNames.LakeTable}.");
                });

                await context.StepAsync("export", async ct =>
                {
                    // One gzip CSV with a header (PARALLEL OFF), which the pipeline reads by column name like any metadata.csv.
                    await RunSpectrumStatementAsync(run, SpectrumStatement.Unload, roleArn!,
                        $"unload ('select * from {AwsNames.ExternalSchema}.{AwsNames.LakeTable}') to 's3://{names.Bucket}/{names.ExportPrefix}' " +
                        $"iam_role '{roleArn}' format as csv header gzip parallel off allowoverwrite", ct);
                    var size = await cloud.ObjectSizeAsync(names.AccountBucket, names.ExportKey, ct)
                        ?? throw new PhaseFailedException($"Redshift's UNLOAD finished but s3://{names.Bucket}/{names.ExportKey} is not there. Run phase 2 again.");
                    await context.RecordResourceAsync(AwsResourceKinds.SpectrumScan, AwsResourceKinds.ScanLocator(names.Cluster, size), "The export's scan of the data lake (billed per TB by Spectrum)");
                    await context.LogAsync($"Exported the data lake's CORD-19 metadata to s3://{names.Bucket}/{names.ExportKey} ({size / 1_048_576.0:0.0} MB, gzip CSV with a header); phase 4 pre-processes it.");
                });
            }

            await context.StepAsync("pause", async ct =>
            {
                await cloud.PauseIfAvailableAsync(names.Cluster, ct);
                await Poll.UntilAsync(context, $"cluster {names.Cluster} paused", options.ClusterLimit, async c =>
                    await cloud.FindClusterAsync(names.Cluster, c) is { Status: "paused" } paused ? paused : null);
                await StopMeteringNodesAsync(context);
                await context.LogAsync($"Cluster {names.Cluster} paused: it now bills its managed storage only, until phase 7 deletes it.");
            });
        }
        catch
        {
            await PauseAfterFailureAsync(run);
            throw;
        }
    }

    /// <summary>A statement that acts as the Spectrum role; its failure names the statement, the role and a fix that follows Redshift's error.</summary>
    private static async Task<SqlResult> RunSpectrumStatementAsync(AwsRun run, SpectrumStatement statement, string roleArn, string sql, CancellationToken ct)
    {
        try
        {
            return await run.Cloud.RunSqlAsync(run.Names.Cluster, AwsNames.Database, AwsNames.MasterUser, sql, ct);
        }
        catch (AwsException ex) when (ex.Code == AwsCloud.StatementFailed)
        {
            throw new PhaseFailedException(SpectrumStatementFailure.Describe(statement, ex.AwsMessage, roleArn, run.Names), ex);
        }
    }

    /// <summary>
    /// The panel pauses the cluster at the end of phase 2, when phase 2 fails, and, while it runs, whenever it finds the
    /// cluster idle. A panel that is stopped or killed meanwhile does none of that, so Redshift's own scheduler is asked
    /// to pause it too, once phase 2 can no longer be using it. Not having that is worth a warning, not a failed phase:
    /// the panel's own pauses still stand, and this phase's end is the one that usually pauses the cluster.
    /// </summary>
    private async Task SchedulePauseAsync(AwsRun run, string schedulerArn, CancellationToken ct)
    {
        var (context, cloud, names) = run;
        var at = clock.GetUtcNow() + options.ClusterPauseBackstop;
        var schedule = new PauseSchedule(names.ClusterPauseSchedule, names.Cluster, at, schedulerArn,
            $"CORD-19 deployment {names.DeploymentId}: pauses its cluster if the control panel has not");
        try
        {
            await WaitOutAsync(run, RoleRedshiftCannotSee(schedulerArn, AwsRoles.Scheduler.TrustedService), () => cloud.SchedulePauseAsync(schedule, ct), ct);
            await context.LogAsync($"Redshift's scheduler pauses cluster {names.Cluster} at {at.UtcDateTime:yyyy-MM-dd HH:mm} UTC ({schedule.Name}), " +
                "even if the panel has stopped by then; this phase pauses it sooner, when its export is done. Phase 7 deletes the schedule with the cluster.");
        }
        catch (Cord19Exception ex)
        {
            // A refusal's own fix (allow the action, refresh the credentials) stands; anything else was retried already.
            var why = ex is AwsException { Kind: not (AwsErrorKind.Denied or AwsErrorKind.Credentials) } aws
                ? $"{aws.Cause} Run phase 2 again to ask once more."
                : ex.Message;
            await context.LogAsync($"Redshift's scheduler was not given a pause for cluster {names.Cluster}: {why} The panel still pauses it at " +
                $"this phase's end, or when it fails, and looks every {ClusterGuard.Interval.TotalMinutes:0} minutes while it runs; if the panel stops " +
                "before then, the cluster bills node-hours until the panel runs again or you pause it in the Redshift console.", Deployments.LogLevel.Warning);
        }
    }

    /// <summary>
    /// Phase 2 stopped between the cluster's creation and its pause (an export Spectrum refused, an empty lake, the
    /// panel stopping). Left running, the cluster would bill node-hours until phase 7 or, if the panel is closed, until
    /// Redshift's scheduled pause (<see cref="AwsTargetOptions.ClusterPauseBackstop"/> after phase 2 asked for the cluster). So it is paused on the
    /// way out; running phase 2 again resumes it. One call, with its own short limit: the phase's token may be cancelled.
    /// </summary>
    private async Task PauseAfterFailureAsync(AwsRun run)
    {
        var (context, cloud, names) = run;
        if (context.CancelledForDeallocation)
        {
            // A pause now would only make phase 7 wait for it before deleting the cluster.
            await context.LogAsync($"Phase 2 was cancelled for de-allocation, which deletes cluster {names.Cluster}.", Deployments.LogLevel.Warning);
            return;
        }
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30), clock);
        try
        {
            switch (await cloud.PauseIfAvailableAsync(names.Cluster, limit.Token))
            {
                case null or { Status: "paused" or "pausing" or "deleting" }:
                    return;
                case { Status: "available" }:
                    await StopMeteringNodesAsync(context);
                    await context.LogAsync($"Phase 2 stopped before its end, so cluster {names.Cluster} is being paused: it bills its managed storage only " +
                        "until phase 2, run again, resumes it, or phase 7 deletes it.", Deployments.LogLevel.Warning);
                    return;
                case { Status: var status }:
                    await context.LogAsync($"Phase 2 stopped before its end while cluster {names.Cluster} is {status}, which cannot be paused yet. It bills " +
                        $"node-hours until the panel pauses it once it is available (the panel looks every {ClusterGuard.Interval.TotalMinutes:0} minutes while it runs), " +
                        "phase 2 runs again to its end, or phase 7 deletes it.", Deployments.LogLevel.Warning);
                    return;
            }
        }
        catch (Exception ex) when (ex is AwsException or OperationCanceledException or HttpRequestException)
        {
            await context.LogAsync($"Phase 2 stopped before its end and cluster {names.Cluster} could not be paused " +
                $"({(ex is AwsException aws ? aws.Message : "AWS did not answer")}): it bills node-hours until phase 7 deletes it. " +
                "Run phase 7, or pause the cluster in the Redshift console.", Deployments.LogLevel.Warning);
        }
    }

    /// <summary>The meter prices the nodes until their entry is deleted: at the pause, the storage alone is left.</summary>
    private static async Task StopMeteringNodesAsync(PhaseContext context)
    {
        foreach (var compute in (await context.LiveResourcesAsync()).Where(r => r.Kind == AwsResourceKinds.ClusterCompute))
            await context.MarkResourceDeletedAsync(compute.Id);
    }

    private Task CreateClusterAsync(AwsRun run, ClusterSpec spec, CancellationToken ct) =>
        WaitOutAsync(run, Either(RoleRedshiftCannotSee(spec.SpectrumRoleArn, AwsRoles.RedshiftService), NewGroupForRedshift(run, spec.SecurityGroupId), RedshiftDependencyBusy(run)),
            () => run.Cloud.CreateClusterAsync(spec, ct), ct);
}
