using Cord19.Core.Airflow;
using Cord19.Core.Aws;
using Cord19.Core.Deployments;
using Cord19.Core.Execution;
using Cord19.Core.Pipeline;
using Cord19.Core.Results;
using Cord19.Core.Settings;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// The seven phases against an AWS account. Every step is idempotent: names are derived from the deployment
/// (<see cref="AwsNames"/>), each resource is recorded in the ledger before the call that creates it, and a
/// step run again finds what an earlier attempt made. So a phase that failed or was interrupted is simply run
/// again, and phase 7 can tear down whatever a crash left, from the ledger and from the tags.
/// </summary>
public sealed partial class AwsTarget(
    IAwsCloudFactory clouds,
    IAirflowConnector airflow,
    IAirflowReleaseIndex airflowReleases,
    IResultStore results,
    DataDirectory data,
    AwsTargetOptions options,
    EndedInstanceGuard endedInstances,
    TimeProvider clock) : ITarget
{
    public DeploymentTarget Kind => DeploymentTarget.Aws;

    public async Task RunAsync(PhaseContext context)
    {
        if (context.Phase.IsDeallocation && !await context.HasRecordedResourcesAsync())
        {
            // Every resource is recorded before the call that creates it, so a ledger that never held anything means
            // nothing was created: the deployment can end even when AWS cannot be reached (expired credentials).
            // Once something was recorded, teardown always sweeps the tags, even when the ledger shows all deleted.
            await context.StepAsync("plan", _ => context.LogAsync("The ledger holds nothing for this deployment, so nothing was created in AWS: nothing to delete."));
            return;
        }
        // AWS's and Airflow's refusals (Cord19Exception) fail the phase with their message, in the PhaseRunner.
        await clouds.WithCloudAsync(context.Settings.AwsRegion, async cloud =>
        {
            var run = await StartAsync(context, cloud);
            await (context.Phase.Number switch
            {
                1 => DeployInstanceAsync(run),
                2 => DeployWarehouseAsync(run),
                3 => InstallDagsAsync(run),
                4 => RunDagAsync(run, PipelineDefinition.PreprocessingDag, null),
                5 => RunDagAsync(run, PipelineDefinition.ProcessingDag, PipelineDagRuns.Subset),
                6 => RunDagAsync(run, PipelineDefinition.ProcessingDag, PipelineDagRuns.Full),
                7 => new AwsTeardown(cloud, Poll, options).RunAsync(context, run.Names, results),
                _ => throw new ArgumentOutOfRangeException(nameof(context), context.Phase.Number, "Unknown phase."),
            });
        });
    }

    public Task<IReadOnlyList<PlannedDeletion>> PlanDeallocationAsync(Guid deploymentId, PipelineSettings settings,
        IReadOnlyList<Deployments.ResourceView> ledger, CancellationToken ct) =>
        clouds.WithCloudAsync(settings.AwsRegion, cloud => AwsTeardown.PlanAsync(cloud, deploymentId, ledger, ct));

    /// <summary>
    /// Who we are in which account: the bucket's name needs the account (and the region), and the log should say where
    /// things go. A bucket the ledger holds keeps its name, so a deployment an earlier version began finds its bucket.
    /// </summary>
    private static async Task<AwsRun> StartAsync(PhaseContext context, IAwsCloud cloud)
    {
        AwsIdentity? identity = null;
        await context.StepAsync("identity", async ct =>
        {
            identity = await cloud.WhoAmIAsync(ct);
            await context.LogAsync($"Account {identity.Account}, region {cloud.Region}, as {identity.Arn}.");
        });
        return new AwsRun(context, cloud, AwsNames.Of(context.Run.DeploymentId, identity!.Account, cloud.Region, await context.LiveResourcesAsync()));
    }

    /// <summary>
    /// A create call AWS refused made nothing, so the ledger's entries recorded for it just before (crash safety) end now:
    /// left live, the meters would price an instance or a cluster that never existed, until a guard's look or phase 7.
    /// A call that timed out, or met AWS failing after its retries, may have made it: its entries stay for the guards and
    /// phase 7 to settle. So does a cancelled one.
    /// </summary>
    private static async Task EndEntriesIfRefusedAsync(PhaseContext context, IReadOnlyList<Deployments.ResourceView> recorded, Func<Task> create)
    {
        try
        {
            await create();
        }
        catch (Exception ex) when (ex is PhaseFailedException or AwsException { Kind: not (AwsErrorKind.Transient or AwsErrorKind.Throttled) })
        {
            foreach (var entry in recorded)
                await context.MarkResourceDeletedAsync(entry.Id);
            await context.LogAsync($"AWS created nothing, so the ledger no longer counts {string.Join(" or ", recorded.Select(r => $"{r.Kind} {r.Locator}"))}: " +
                "the meters do not price it.");
            throw;
        }
    }

    private static IReadOnlyDictionary<string, string> Tags(AwsRun run) => ResourceTags.For(run.Context.Run.DeploymentId, run.Context.Phase.Number);

    private AwsPolling Poll => new(options.PollInterval, clock);

    /// <summary>One request to the instance's Airflow, made again through a silence of up to the outage's limit (<see cref="AirflowOutage"/>).</summary>
    private Task<T> AskAirflowAsync<T>(PhaseContext context, AirflowOutage outage, string what, Func<CancellationToken, Task<T>> request) where T : class =>
        Poll.UntilAsync(context, what, options.AirflowAnswerLimit, ct => outage.LookAsync<T>(async token => await request(token), ct));

    /// <summary>A generated password kept in SSM Parameter Store as a SecureString; an existing one is kept (a resumed phase).</summary>
    private static async Task EnsurePasswordAsync(AwsRun run, string parameter, string description, CancellationToken ct)
    {
        await run.Context.RecordResourceAsync(AwsResourceKinds.Parameter, parameter, $"{description} (SecureString)");
        if (await run.Cloud.GetSecretAsync(parameter, ct) is null)
            await run.Cloud.PutSecretAsync(parameter, AwsPasswords.New(), Tags(run), ct);
        await run.Context.LogAsync($"The {description} is in SSM Parameter Store as the SecureString {parameter}.");
    }

    /// <summary>
    /// The deployment's security group <paramref name="name"/> in the default VPC, opening <paramref name="port"/> to the
    /// operator's address only, or nothing at all when it is null (the private cluster). Returns the group, its VPC and
    /// the address it is open to.
    /// </summary>
    private async Task<(string Group, string Vpc, string? OpenTo)> EnsureSecurityGroupAsync(AwsRun run, string name, string description, int? port, CancellationToken ct)
    {
        var vpc = await run.Cloud.DefaultVpcAsync(ct);
        var cidr = port is null ? null : await OperatorCidrAsync(run);
        await run.Context.RecordResourceAsync(AwsResourceKinds.SecurityGroup, name, port is { } open ? $"Port {open} for {cidr}" : "No inbound rule");
        var existing = await run.Cloud.FindSecurityGroupAsync(name, vpc, ct);
        var group = existing ?? await run.Cloud.CreateSecurityGroupAsync(name, description, vpc, Tags(run), ct);
        if (port is { } opened)
        {
            // A group made now has no rule, and EC2 may not know its id for a few seconds.
            var ingress = existing is null ? null : await run.Cloud.IngressAsync(name, opened, ct);
            await WaitOutAsync(run, NewGroup(run, group), () => OpenToOperatorAsync(run, ingress ?? new GroupIngress(group, []), opened, cidr!, ct), ct);
        }
        return (group, vpc, cidr);
    }

    /// <summary>
    /// Opens <paramref name="port"/> to the operator's <paramref name="cidr"/> unless a rule that stays admits it already,
    /// and closes it to the other addresses this panel instance opened it to (its rules name it,
    /// <see cref="OperatorAddress.RuleDescription"/>): one machine has one address at a time. Rules another panel instance
    /// opened, or an earlier version without the panel's name, stay. Each change is logged.
    /// </summary>
    private static async Task OpenToOperatorAsync(AwsRun run, GroupIngress group, int port, string cidr, CancellationToken ct)
    {
        var owner = run.Context.Run.Owner;
        var mine = OperatorAddress.RuleDescription(owner);
        var stale = OperatorAddress.LeftBehind(group.Admitted, cidr, owner);
        if (!OperatorAddress.IsAdmitted(group.Admitted.Select(a => a.Cidr).Except(stale), cidr))
        {
            await run.Cloud.AllowIngressAsync(group.GroupId, port, cidr, mine, ct);
            if (group.Admitted.Count > 0)
                await run.Context.LogAsync($"Port {port} of {group.GroupId} now admits {cidr}: this machine's address is not one an earlier phase opened it to.");
        }
        foreach (var old in stale)
            await run.Cloud.RevokeIngressAsync(group.GroupId, port, old, ct);
        if (stale.Count > 0)
            await run.Context.LogAsync($"Port {port} of {group.GroupId} no longer admits {string.Join(", ", stale)}, which this panel ({owner}) opened it to from where it was before.");
    }

    /// <summary>
    /// A checklist line judged again before anything is created: a refusal stops the phase with its fix, the rest goes in
    /// the log. A red line refuses unless <paramref name="refuse"/> says otherwise (the Airflow release's known
    /// vulnerabilities are red on the checklist, a warning here).
    /// </summary>
    private static async Task RefuseOrLogAsync(PhaseContext context, CheckItem line, bool? refuse = null, string stopped = Phase1Stopped)
    {
        if (refuse ?? line.Outcome == CheckOutcome.Failed)
            throw new PhaseFailedException($"{line.Detail} {line.Fix} {stopped}");
        await context.LogAsync(line.Fix is null ? line.Detail : $"{line.Detail} {line.Fix}",
            line.Outcome == CheckOutcome.Passed ? Deployments.LogLevel.Info : Deployments.LogLevel.Warning);
    }

    /// <summary>
    /// Before a phase creates a role: a missing boundary stops it (the operator policy would refuse the role), one that
    /// differs from this version's is logged.
    /// </summary>
    private static async Task CheckRoleBoundaryAsync(AwsRun run, string stopped, CancellationToken ct)
    {
        var line = RoleBoundary.Judge(await run.Cloud.RoleBoundaryAsync(run.Names.Account, ct), run.Names.Account);
        await RefuseOrLogAsync(run.Context, line, stopped: stopped);
    }

    private const string Phase1Stopped = "Phase 1 stopped before creating anything; run it again then.";

    private Task<string> OperatorCidrAsync(AwsRun run) =>
        OperatorAddress.OfOperatorAsync(run.Context.Settings, options.LookUpPublicAddress, run.Context.Cancellation);

    internal sealed record AwsRun(PhaseContext Context, IAwsCloud Cloud, AwsNames Names);
}
