using Cord19.Core.Aws;
using Cord19.Core.Execution;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// Calls that name something the phase made seconds before, which EC2 may not know yet: its API is eventually consistent
/// ("Eventual consistency in the Amazon EC2 API": a new security group's id may answer InvalidGroup.NotFound), and a new
/// instance profile reaches EC2 from IAM a few seconds late (RunInstances calls its name "invalid": aws/aws-sdk-js-v3#5253,
/// and the Terraform provider's issues).
/// </summary>
public sealed partial class AwsTarget
{
    /// <summary>How many times such a call is asked: 11 waits of the poll interval (about 2 minutes).</summary>
    private const int PropagationTries = 12;

    /// <summary>What EC2 could not see yet, and where to look for it when it never does.</summary>
    private sealed record NotVisibleYet(string What, string WhereToCheck);

    /// <summary>
    /// Asks <paramref name="call"/> again every poll interval while EC2 answers that something <paramref name="newlyMade"/>
    /// names is not there; past <see cref="PropagationTries"/>, the phase fails saying what, and what to do, rather than
    /// with EC2's words alone. Any other refusal is the caller's.
    /// </summary>
    private async Task<T> WhileNewlyMadeAsync<T>(AwsRun run, Func<AwsException, NotVisibleYet?> newlyMade, Func<Task<T>> call, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (AwsException ex) when (newlyMade(ex) is { } unseen)
            {
                if (attempt >= PropagationTries)
                    throw new PhaseFailedException(
                        $"EC2 still could not see {unseen.What} after {PropagationTries} tries over {Durations.Say(options.PollInterval * (PropagationTries - 1))} " +
                        $"({ex.Code}), though it was made: it usually reaches EC2 within seconds. Run phase {run.Context.Phase.Number} again, which keeps it; " +
                        $"if EC2 still cannot see it, check {unseen.WhereToCheck}, and the AWS Health Dashboard for IAM or EC2 events in {run.Cloud.Region}.", ex);
                await run.Context.LogAsync($"{char.ToUpperInvariant(unseen.What[0])}{unseen.What[1..]} is not visible to EC2 yet; trying again in a few seconds.");
                await Task.Delay(options.PollInterval, clock, ct);
            }
        }
    }

    private Task WhileNewlyMadeAsync(AwsRun run, Func<AwsException, NotVisibleYet?> newlyMade, Func<Task> call, CancellationToken ct) =>
        WhileNewlyMadeAsync(run, newlyMade, async () =>
        {
            await call();
            return true;
        }, ct);

    /// <summary>A launch's new instance profile, or its new security group, that EC2 cannot see yet.</summary>
    private static Func<AwsException, NotVisibleYet?> NewProfileOrGroup(AwsRun run, InstanceSpec spec) => ex =>
        ex.Code == "InvalidParameterValue" && ex.AwsMessage.Contains("instance profile", StringComparison.OrdinalIgnoreCase)
            ? new($"the instance profile {run.Names.InstanceRole}", $"in the IAM console that the profile {run.Names.InstanceRole} exists with its role")
            : NewGroup(spec.SecurityGroupId)(ex);

    /// <summary>A security group, made by this phase, that EC2 cannot see yet.</summary>
    private static Func<AwsException, NotVisibleYet?> NewGroup(string groupId) => ex =>
        ex.Code == "InvalidGroup.NotFound"
            ? new($"the security group {groupId}", $"in the VPC console (Security groups) that {groupId} exists in the default VPC")
            : null;
}
