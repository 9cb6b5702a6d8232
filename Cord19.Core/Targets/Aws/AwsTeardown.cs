using Cord19.Core.Aws;
using Cord19.Core.Deployments;
using Cord19.Core.Execution;
using Cord19.Core.Results;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// Phase 7 on AWS: every resource the ledger or the tags know of, deleted in dependency order (instance and
/// cluster, then volumes and the cluster's snapshots, then security groups, retrying DependencyViolation while network interfaces drain,
/// then parameters, then the bucket), then a tag sweep that must come back empty.
/// </summary>
internal sealed class AwsTeardown(IAwsCloud cloud, AwsPolling poll, AwsTargetOptions options)
{
    public static async Task<IReadOnlyList<PlannedDeletion>> PlanAsync(IAwsCloud cloud, Guid deploymentId, IReadOnlyList<ResourceView> ledger, CancellationToken ct)
    {
        var tagged = await cloud.FindTaggedAsync(deploymentId, ct);
        // What AWS holds; the ledger's meters (a cluster's running periods, its export's scan) end with their cluster.
        var held = ledger.Where(r => AwsResourceKinds.MeteredCluster(r.Kind, r.Locator) is null).ToList();
        var plan = held
            .Select(r => new PlannedDeletion(r.Kind, r.Locator, r.Description, true,
                tagged.Any(t => t.Kind == r.Kind && t.Locator == r.Locator), tagged.FirstOrDefault(t => t.Kind == r.Kind && t.Locator == r.Locator)?.State))
            .Concat(tagged.Where(t => !held.Any(r => r.Kind == t.Kind && r.Locator == t.Locator))
                .Select(t => new PlannedDeletion(t.Kind, t.Locator, "found by its tags only", false, true, t.State)));
        // Within a kind, newest first (the ledger's order): a Redshift group made before it had no inbound rule names the
        // Airflow group, so it goes first.
        var ledgerOrder = held.Select((r, i) => (r, i)).ToDictionary(x => (x.r.Kind, x.r.Locator), x => x.i);
        return plan.OrderBy(p => AwsResourceKinds.DeletionOrder(p.Kind))
            .ThenBy(p => ledgerOrder.GetValueOrDefault((p.Kind, p.Locator), int.MaxValue))
            .ThenBy(p => p.Locator, StringComparer.Ordinal)
            .ToList();
    }

    public async Task RunAsync(PhaseContext context, AwsNames names, IResultStore results)
    {
        IReadOnlyList<PlannedDeletion> plan = [];
        await context.StepAsync("plan", async ct =>
        {
            plan = await PlanAsync(cloud, context.Run.DeploymentId, await context.LiveResourcesAsync(), ct);
            await context.LogAsync(plan.Count == 0 ? "Nothing to delete." : $"{plan.Count} to delete, in this order:");
            foreach (var item in plan)
                await context.LogAsync($"  {item.Kind} {item.Locator}{(item.State is { } s ? $" ({s})" : "")}{(item.InLedger ? "" : " — not in the ledger, found by its tags")}");
        });

        await context.StepAsync("results", async ct =>
        {
            if (!plan.Any(p => p.Kind == AwsResourceKinds.Bucket) || !await cloud.OwnsBucketAsync(names.Bucket, ct)) return;
            if (context.Run.DeleteResults)
            {
                await results.DeleteAllAsync(ct);
                await context.LogAsync($"Results deleted, as asked: the bucket's go with it, and the copies in {results.Location}.");
            }
            else
            {
                var copied = await results.CopyRunsFromAsync(cloud.Objects(names.AccountBucket, names.ResultsPrefix), ct);
                await context.LogAsync($"Results kept: {copied} more files copied from s3://{names.Bucket} to {results.Location} before the bucket goes.");
            }
        });

        var failures = new List<string>();
        var stuckInstance = false;
        await context.StepAsync("delete", async ct =>
        {
            var ledger = await context.LiveResourcesAsync();
            foreach (var item in plan)
            {
                try
                {
                    await DeleteAsync(context, context.Run.DeploymentId, names.Account, item, stuckInstance, "run phase 7 again", ct);
                    foreach (var entry in ledger.Where(r => r.Kind == item.Kind && r.Locator == item.Locator))
                        await context.MarkResourceDeletedAsync(entry.Id);
                    await context.LogAsync($"Deleted {item.Kind} {item.Locator}.");
                }
                catch (Cord19Exception ex)
                {
                    // Go on with the rest: the less is left behind the better; the sweep reports what remains.
                    stuckInstance |= item.Kind == AwsResourceKinds.Instance;
                    failures.Add($"{item.Kind} {item.Locator}: {ex.Message}");
                    await context.LogAsync($"Could not delete {item.Kind} {item.Locator}: {ex.Message}", LogLevel.Error);
                }
            }
            // A cluster's meters end once it is gone, not before: one that could not be deleted bills on.
            var left = await context.LiveResourcesAsync();
            foreach (var meter in left.Where(r => AwsResourceKinds.MeteredCluster(r.Kind, r.Locator) is { } cluster
                && !left.Any(c => c.Kind == AwsResourceKinds.Cluster && c.Locator == cluster)))
                await context.MarkResourceDeletedAsync(meter.Id);
        });

        await context.StepAsync("sweep", async ct =>
        {
            var left = await cloud.FindTaggedAsync(context.Run.DeploymentId, ct);
            if (left.Count > 0 || failures.Count > 0)
                throw new PhaseFailedException(
                    $"{left.Count} left in {cloud.Region} with this deployment's tag: {string.Join("; ", left.Select(l => $"{l.Kind} {l.Locator} ({l.State})"))}. " +
                    (failures.Count > 0 ? $"Failures: {string.Join(" | ", failures)} " : "") +
                    "Fix what the messages name, then run phase 7 again: it picks up what is left.");
            await context.LogAsync($"Sweep of {cloud.Region} by the tag {ResourceTags.DeploymentKey}={context.Run.DeploymentId}: 0 left.");
        });
    }

    /// <summary>
    /// Deletes resources of deployments that are no longer live (found by their tags), deployment by deployment in
    /// dependency order, as phase 7 would; a failure is listed and the rest deleted all the same.
    /// </summary>
    public async Task<(IReadOnlyList<string> Deleted, IReadOnlyList<string> Failures)> DeleteOrphansAsync(
        Pipeline.IStepRecorder log, IReadOnlyList<TaggedResource> orphans, CancellationToken ct)
    {
        var (deleted, failures) = (new List<string>(), new List<string>());
        foreach (var deployment in orphans.GroupBy(o => o.DeploymentId))
        {
            var stuckInstance = false;
            var owner = Guid.TryParse(deployment.Key, out var id) ? id : Guid.Empty;
            // Within a kind, names descending: a deployment's Redshift group (whose rule, in older deployments, names its Airflow group) before that group.
            foreach (var orphan in deployment.OrderBy(o => AwsResourceKinds.DeletionOrder(o.Kind)).ThenByDescending(o => o.Locator, StringComparer.Ordinal))
            {
                try
                {
                    await DeleteAsync(log, owner, account: null, new PlannedDeletion(orphan.Kind, orphan.Locator, "orphan", false, true, orphan.State), stuckInstance,
                        "delete the orphans again", ct);
                    deleted.Add($"{orphan.Kind} {orphan.Locator}");
                    await log.LogAsync($"Deleted {orphan.Kind} {orphan.Locator}.");
                }
                catch (Cord19Exception ex)
                {
                    stuckInstance |= orphan.Kind == AwsResourceKinds.Instance;
                    failures.Add($"{orphan.Kind} {orphan.Locator}: {ex.Message}");
                }
            }
        }
        return (deleted, failures);
    }

    /// <param name="account">The deployment's account, which owns its bucket; null for an orphan, found by its tags in the caller's account.</param>
    /// <param name="stuckInstance">An instance could not be terminated: its network interface keeps the security groups in use, so they are tried once, not waited for.</param>
    /// <param name="again">What a person does once they have fixed a refusal: run phase 7 again, or delete the orphans again.</param>
    private async Task DeleteAsync(Pipeline.IStepRecorder log, Guid deploymentId, string? account, PlannedDeletion item, bool stuckInstance, string again,
        CancellationToken ct)
    {
        switch (item.Kind)
        {
            case AwsResourceKinds.Instance:
                // Every instance with the deployment's tag, whatever token launched it (a second launch by hand, a retried call).
                var live = (await cloud.FindInstancesAsync(deploymentId, ct)).Where(i => i.State != "terminated").ToList();
                // One instance EC2 refuses to terminate must not keep the others running: each is asked, then the refusals are said.
                var refused = new List<(string InstanceId, AwsException Error)>();
                foreach (var instance in live)
                {
                    try
                    {
                        await cloud.TerminateInstanceAsync(instance.InstanceId, ct);
                    }
                    catch (AwsException ex)
                    {
                        refused.Add((instance.InstanceId, ex));
                    }
                }
                var refusal = refused.Count == 0 ? null :
                    $"{string.Join("; ", refused.Select(r => $"Instance {r.InstanceId} could not be terminated ({r.Error.Message})"))}. " +
                    $"{(refused.Count > 1 ? "They keep their" : "It keeps its")} security group in use and cost{(refused.Count > 1 ? "" : "s")} money: " +
                    $"terminate {(refused.Count > 1 ? "them" : "it")} in the EC2 console (or fix the permission named)";
                var ending = live.Select(i => i.InstanceId).Except(refused.Select(r => r.InstanceId)).ToList();
                // A wait given up must not hide the refusal: it is what a person has to act on.
                if (ending.Count > 0)
                    await poll.UntilAsync(log, ct, $"instance{(ending.Count > 1 ? "s" : "")} {string.Join(", ", ending)} terminated", options.DeletionLimit, async c =>
                        (await cloud.FindInstancesAsync(deploymentId, c)).Any(i => ending.Contains(i.InstanceId) && i.State != "terminated") ? null : item,
                        whyNot: refusal is null ? null : _ => Task.FromResult<string?>(refusal + ". "));
                if (refusal is not null) throw new PhaseFailedException($"{refusal}, then {again}.", refused[0].Error);
                break;
            case AwsResourceKinds.SpotRequest:
                await cloud.CancelSpotRequestAsync(item.Locator, ct);
                break;
            case AwsResourceKinds.Cluster:
                await DeleteClusterAsync(log, item.Locator, ct);
                break;
            case AwsResourceKinds.ClusterSnapshot:
                await DeleteSnapshotAsync(log, item.Locator, ct);
                break;
            case AwsResourceKinds.Volume:
                await cloud.DeleteVolumeAsync(item.Locator, ct);
                break;
            case AwsResourceKinds.SecurityGroup:
                var group = await cloud.FindSecurityGroupAsync(item.Locator, await cloud.DefaultVpcAsync(ct), ct);
                if (group is null) break;
                if (stuckInstance) await cloud.DeleteSecurityGroupAsync(group, ct);
                else await DeleteGroupAsync(log, group, ct);
                break;
            case AwsResourceKinds.Parameter:
                await cloud.DeleteSecretAsync(item.Locator, ct);
                break;
            case AwsResourceKinds.Role:
                await cloud.DeleteRoleAsync(item.Locator, ct);
                break;
            case AwsResourceKinds.Bucket:
                await cloud.DeleteBucketAsync(new AccountBucket(item.Locator, account ?? (await cloud.WhoAmIAsync(ct)).Account), ct);
                break;
        }
    }

    /// <summary>Redshift refuses to delete a cluster that is being created, modified, resumed or paused; it can once that ends.</summary>
    private async Task DeleteClusterAsync(Pipeline.IStepRecorder log, string identifier, CancellationToken ct)
    {
        await poll.UntilAsync(log, ct, $"cluster {identifier} in a state that can be deleted", options.DeletionLimit, async c =>
        {
            try
            {
                await cloud.DeleteClusterAsync(identifier, c);
                return identifier;
            }
            catch (AwsException ex) when (ex.Code == "InvalidClusterState")
            {
                return null;
            }
        });
        await poll.UntilAsync(log, ct, $"cluster {identifier} deleted", options.DeletionLimit, async c =>
            await cloud.FindClusterAsync(identifier, c) is null ? identifier : null);
        // Its pause schedule only now, so that it stands until the cluster is gone. Redshift keeps a scheduled action
        // after its cluster; with the cluster gone, it is free and does nothing, so failing to delete it fails nothing.
        var schedule = DeploymentNames.PauseScheduleOf(identifier);
        try
        {
            await cloud.DeletePauseScheduleAsync(schedule, ct);
        }
        catch (AwsException ex)
        {
            await log.LogAsync($"The cluster's pause schedule {schedule} was not deleted ({ex.Message}). With the cluster gone it costs nothing " +
                "and does nothing; delete it under Redshift's scheduled actions when you can.");
        }
    }

    /// <summary>Redshift refuses to delete a snapshot it is still taking (the final snapshot of a deletion under way); it can once taken.</summary>
    private Task DeleteSnapshotAsync(Pipeline.IStepRecorder log, string locator, CancellationToken ct)
    {
        var (cluster, snapshot) = AwsResourceKinds.SnapshotOf(locator);
        return poll.UntilAsync(log, ct, $"snapshot {snapshot} of cluster {cluster} taken, to delete it", options.DeletionLimit, async c =>
        {
            try
            {
                await cloud.DeleteSnapshotAsync(cluster, snapshot, c);
                return locator;
            }
            catch (AwsException ex) when (ex.Code == "InvalidClusterSnapshotState")
            {
                return null;
            }
        });
    }

    /// <summary>A terminated instance's network interface lingers a minute or two; until then the group is "in use".</summary>
    private Task DeleteGroupAsync(Pipeline.IStepRecorder log, string groupId, CancellationToken ct) =>
        poll.UntilAsync(log, ct, $"security group {groupId} free to delete", options.DeletionLimit, async c =>
        {
            try
            {
                await cloud.DeleteSecurityGroupAsync(groupId, c);
                return groupId;
            }
            catch (AwsException ex) when (ex.Kind == AwsErrorKind.DependencyViolation)
            {
                return null;
            }
        });
}
