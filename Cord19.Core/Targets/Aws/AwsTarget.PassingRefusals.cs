using Cord19.Core.Aws;
using Cord19.Core.Execution;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// Refusals that pass, which a phase waits out rather than fail on. Calls that name something made seconds before, which
/// the service called may not know yet: EC2's API is eventually consistent ("Eventual consistency in the Amazon EC2 API":
/// a new security group's id may be unknown for a few seconds, to EC2 as InvalidGroup.NotFound and to Redshift as an
/// invalid parameter), and IAM shows a new instance profile to EC2, and a new role to Redshift, a few seconds late
/// (RunInstances calls the profile's name "invalid": aws/aws-sdk-js-v3#5253, and the Terraform provider's issues;
/// Redshift says the role must "delegate access to an Amazon Redshift account"). And Redshift's refusals while a service
/// it depends on is busy or down, which its model says to wait 30 to 60 seconds out. One wait serves them all.
/// </summary>
public sealed partial class AwsTarget
{
    /// <summary>How many times such a call is asked: 11 waits of the poll interval (about 2 minutes).</summary>
    private const int WaitOutTries = 12;

    /// <summary>What a refusal that passes says: the log's line while it is waited out, and the failure once the wait is over.</summary>
    /// <param name="GaveUp">Given how long it was waited for ("after 12 tries over 1 min 50 s").</param>
    private sealed record PassingRefusal(string Waiting, Func<string, string> GaveUp);

    /// <summary>
    /// Asks <paramref name="call"/> again every poll interval while its refusal is one <paramref name="passing"/> reads as
    /// passing; past <see cref="WaitOutTries"/>, the phase fails saying what, and what to do, rather than with the
    /// service's words alone. Any other refusal is the caller's.
    /// </summary>
    private async Task<T> WaitOutAsync<T>(AwsRun run, Func<AwsException, PassingRefusal?> passing, Func<Task<T>> call, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (AwsException ex) when (passing(ex) is { } refusal)
            {
                if (attempt >= WaitOutTries)
                    throw new PhaseFailedException(refusal.GaveUp($"after {WaitOutTries} tries over {Durations.Say(options.PollInterval * (WaitOutTries - 1))}"), ex);
                await run.Context.LogAsync(refusal.Waiting);
                await Task.Delay(options.PollInterval, clock, ct);
            }
        }
    }

    private Task WaitOutAsync(AwsRun run, Func<AwsException, PassingRefusal?> passing, Func<Task> call, CancellationToken ct) =>
        WaitOutAsync(run, passing, async () =>
        {
            await call();
            return true;
        }, ct);

    /// <summary>The first of <paramref name="readings"/> that reads a refusal as passing.</summary>
    private static Func<AwsException, PassingRefusal?> Either(params Func<AwsException, PassingRefusal?>[] readings) =>
        ex => readings.Select(read => read(ex)).FirstOrDefault(refusal => refusal is not null);

    /// <summary>A launch's new instance profile, or its new security group, that EC2 cannot see yet.</summary>
    private static Func<AwsException, PassingRefusal?> NewProfileOrGroup(AwsRun run, InstanceSpec spec) =>
        Either(NewProfile(run), NewGroup(run, spec.SecurityGroupId));

    /// <summary>The launch's instance profile, made by this phase, that EC2 calls invalid until IAM has shown it.</summary>
    private static Func<AwsException, PassingRefusal?> NewProfile(AwsRun run) => ex =>
        ex.Code == "InvalidParameterValue" && ex.AwsMessage.Contains("instance profile", StringComparison.OrdinalIgnoreCase)
            ? Ec2CannotSee(run, ex, $"the instance profile {run.Names.InstanceRole}", $"in the IAM console that the profile {run.Names.InstanceRole} exists with its role")
            : null;

    /// <summary>A security group, made by this phase, that EC2 cannot see yet.</summary>
    private static Func<AwsException, PassingRefusal?> NewGroup(AwsRun run, string groupId) => ex =>
        ex.Code == "InvalidGroup.NotFound"
            ? Ec2CannotSee(run, ex, $"the security group {groupId}", $"in the VPC console (Security groups) that {groupId} exists in the default VPC")
            : null;

    /// <summary>
    /// The cluster's security group, made by this phase, that Redshift cannot see yet. Redshift puts a cluster given no
    /// subnet group in the default VPC, where the group was made, and refuses a group it cannot find there as
    /// InvalidParameterValue "VPC Security group sg-… does not exist in VPC vpc-…" (its words, as aws/aws-cdk#11294 quotes
    /// them). Read by the group's own id, so a refusal about anything else is the caller's.
    /// </summary>
    private static Func<AwsException, PassingRefusal?> NewGroupForRedshift(AwsRun run, string groupId) => ex =>
        ex.Code == "InvalidParameterValue" && ex.AwsMessage.Contains(groupId, StringComparison.Ordinal)
            ? NotVisibleYet(run, ex, "Redshift", $"the security group {groupId}",
                $"in the VPC console (Security groups) that {groupId} exists in the default VPC, which is where Redshift puts the cluster", "EC2 or Redshift")
            : null;

    private static PassingRefusal Ec2CannotSee(AwsRun run, AwsException ex, string what, string whereToCheck) =>
        NotVisibleYet(run, ex, "EC2", what, whereToCheck, "IAM or EC2");

    private static PassingRefusal NotVisibleYet(AwsRun run, AwsException ex, string service, string what, string whereToCheck, string services) => new(
        $"{char.ToUpperInvariant(what[0])}{what[1..]} is not visible to {service} yet; trying again in a few seconds.",
        after => $"{service} still could not see {what} {after} ({ex.Code}), though it was made: it usually reaches {service} within seconds. " +
            $"Run phase {run.Context.Phase.Number} again, which keeps it; if {service} still cannot see it, check {whereToCheck}, " +
            $"and the AWS Health Dashboard for {services} events in {run.Cloud.Region}.");

    /// <summary>A role made a moment ago that IAM has not shown to Redshift yet: Redshift calls it an invalid role, for about a minute.</summary>
    private static Func<AwsException, PassingRefusal?> RoleRedshiftCannotSee(string roleArn, string trustedService) => ex =>
        ex.AwsMessage.Contains("delegate access to an Amazon Redshift account", StringComparison.OrdinalIgnoreCase)
        || (ex.Code is "InvalidParameterValue" or "InvalidParameterCombination" or "InvalidScheduledAction"
            && ex.AwsMessage.Contains("IAM role", StringComparison.OrdinalIgnoreCase))
            ? new($"IAM has not yet shown the role {roleArn} to Redshift; trying again in a few seconds.",
                after => $"Redshift still refuses the role {roleArn} {after} ({ex.AwsMessage}). Check that its trust policy names {trustedService}, then run phase 2 again.")
            : null;

    /// <summary>
    /// Redshift's refusal while a service it depends on throttles it or is down: its model says to wait (30 to 60 seconds)
    /// and ask again. Nothing was made, so asking again is safe; an identifier already taken is the first ask's cluster.
    /// </summary>
    private static Func<AwsException, PassingRefusal?> RedshiftDependencyBusy(AwsRun run) => ex =>
        ex.Code is "DependentServiceRequestThrottlingFault" or "DependentServiceUnavailableFault"
            ? new($"Redshift says a service it depends on is busy or unavailable ({ex.Code}); asking again in a few seconds.",
                after => $"Redshift still answered {ex.Code} {after}: a service it depends on stayed busy or unavailable, and no cluster was made. " +
                    $"Run phase {run.Context.Phase.Number} again later; the AWS Health Dashboard shows Redshift's events in {run.Cloud.Region}.")
            : null;
}
