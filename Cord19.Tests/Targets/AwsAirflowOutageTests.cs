using Cord19.Core.Airflow;
using Cord19.Core.Pipeline;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support.Aws;
using static Cord19.Tests.Targets.AwsTargetTests;

namespace Cord19.Tests.Targets;

/// <summary>
/// Phases 3 to 6 follow the instance's Airflow over the internet for minutes or hours: a while without an answer is
/// not the phase's failure, an Airflow silent past the limit is, and an instance AWS ended fails it at once.
/// </summary>
public sealed class AwsAirflowOutageTests
{
    /// <summary>Its words name the configured Airflow's fix (docker compose), which the phases' own messages must not repeat.</summary>
    private static readonly AirflowException Unreachable = new(AirflowProblem.Unreachable,
        "Could not read the run: Airflow at https://203.0.113.9:8080/ is unreachable (Connection refused). Start Airflow (docker compose up airflow-api-server) or fix CORD19_AIRFLOW_URL.");

    private static async Task<AwsTargetHarness> ReadyForPhaseFourAsync(TimeSpan? outageLimit = null)
    {
        var h = await AwsTargetHarness.StartAsync(airflowOutageLimit: outageLimit);
        ReadyDags(h);
        h.Airflow.TasksOfNewRuns[PipelineDefinition.PreprocessingDag] = [new AirflowTaskInstance("preprocess", "success", 1, null, null, 2.0)];
        for (var phase = 1; phase <= 3; phase++) Succeeded(await h.Core.RunAsync(phase), "");
        return h;
    }

    [Fact]
    public async Task A_run_whose_Airflow_is_silent_for_a_while_is_followed_to_its_end()
    {
        await using var h = await ReadyForPhaseFourAsync();
        var unanswered = 0;
        h.Airflow.FailureOf = call => call.StartsWith("run ", StringComparison.Ordinal) && unanswered++ < 3 ? Unreachable : null;

        var state = await h.Core.RunAsync(4);

        var log = await h.Core.LogTextAsync(state);
        Succeeded(state, log);
        Assert.Equal(4, unanswered);
        Assert.Contains("Airflow on the instance could not be reached, while following cord19_preprocessing run", log);
        Assert.Contains("The run goes on without the panel; looking again for up to 10 s.", log);
        Assert.Contains("Airflow answers again after", log);
        // Said once, when the silence began, not at every look.
        Assert.Single(log.Split('\n'), line => line.Contains("could not be reached", StringComparison.Ordinal));
        Assert.DoesNotContain("docker compose", log);
    }

    [Fact]
    public async Task A_trigger_or_a_task_list_Airflow_leaves_unanswered_is_asked_again()
    {
        await using var h = await ReadyForPhaseFourAsync();
        var (triggers, taskLists) = (0, 0);
        h.Airflow.FailureOf = call =>
            (call.StartsWith("trigger ", StringComparison.Ordinal) && triggers++ == 0) || (call.StartsWith("tasks ", StringComparison.Ordinal) && taskLists++ == 0)
                ? Unreachable : null;

        var state = await h.Core.RunAsync(4);

        var log = await h.Core.LogTextAsync(state);
        Succeeded(state, log);
        Assert.Equal((2, 2), (triggers, taskLists));
        Assert.Single(h.Airflow.Runs[PipelineDefinition.PreprocessingDag]);
        Assert.Contains("Triggered cord19_preprocessing run", log);
        Assert.Contains("Task preprocess: success", log);
    }

    [Fact]
    public async Task An_Airflow_silent_past_the_limit_fails_the_phase_saying_the_run_may_go_on()
    {
        await using var h = await ReadyForPhaseFourAsync(outageLimit: TimeSpan.FromMilliseconds(200));
        h.Airflow.FailureOf = call => call.StartsWith("run ", StringComparison.Ordinal) ? new AirflowException(AirflowProblem.TimedOut, "did not answer within 30 s") : null;

        var state = await h.Core.RunAsync(4);

        FailedSaying(state, "Airflow on the instance has not answered for", "(last look: it did not answer in time)",
            "run this phase again to follow the same run", "AWS page");

        // Run again, with Airflow back: it follows the run it started instead of starting another.
        h.Airflow.FailureOf = null;
        var again = await h.Core.RunAsync(4);
        var log = await h.Core.LogTextAsync(again);
        Succeeded(again, log);
        Assert.Single(h.Airflow.Runs[PipelineDefinition.PreprocessingDag]);
        Assert.Contains("following it rather than starting a second run", log);
    }

    [Fact]
    public async Task A_spot_interruption_while_a_run_is_followed_fails_the_phase_at_once_naming_it()
    {
        await using var h = await ReadyForPhaseFourAsync(outageLimit: TimeSpan.FromMinutes(10));
        var token = (await h.NamesAsync()).InstanceClientToken;
        h.Airflow.FailureOf = call =>
        {
            if (!call.StartsWith("run ", StringComparison.Ordinal)) return null;
            var (instance, spec) = h.Cloud.Instances[token];
            h.Cloud.Instances[token] = (instance with { State = "terminated", PublicIp = null, StateReason = "Server.SpotInstanceTermination: Spot instance termination" }, spec);
            return Unreachable;
        };

        var started = DateTimeOffset.UtcNow;
        var state = await h.Core.RunAsync(4);

        FailedSaying(state, "While following cord19_preprocessing run", "the panel found the instance i-", "terminated: AWS took the spot capacity back",
            "Run phase 1 again for a replacement in this deployment", "then phase 3 to install the DAGs on it");
        Assert.True(DateTimeOffset.UtcNow - started < TimeSpan.FromMinutes(1), "the phase waited out the outage's limit");
        Assert.DoesNotContain("docker compose", state.LatestRun!.Reason);
    }

    /// <summary>
    /// A laptop that moved has one address at a time: the port is opened to the new one and closed to the one this panel
    /// opened it to before. Another panel instance's address, and one an earlier version opened (its rule names no
    /// panel), stay.
    /// </summary>
    [Fact]
    public async Task A_phase_run_from_a_new_address_opens_Airflows_port_to_it_and_closes_the_address_this_panel_had()
    {
        await using var h = await ReadyForPhaseFourAsync();
        var group = h.Cloud.Groups[(await h.NamesAsync()).AirflowSecurityGroup];
        Assert.Equal(["8080 from 203.0.113.7/32"], group.Ingress);
        await h.Cloud.AllowIngressAsync(group.Id, 8080, "192.0.2.50/32", OperatorAddress.RuleDescription("lab-desktop"), default);
        await h.Cloud.AllowIngressAsync(group.Id, 8080, "192.0.2.60/32", "cord19 operator", default);

        // The laptop went home: another public address, which the group does not admit.
        h.PublicAddress.Value = "198.51.100.20/32";
        var state = await h.Core.RunAsync(4);

        var log = await h.Core.LogTextAsync(state);
        Succeeded(state, log);
        Assert.Equal(["8080 from 192.0.2.50/32", "8080 from 192.0.2.60/32", "8080 from 198.51.100.20/32"], group.Ingress);
        Assert.Contains($"Port 8080 of {group.Id} now admits 198.51.100.20/32", log);
        Assert.Contains($"Port 8080 of {group.Id} no longer admits 203.0.113.7/32, which this panel (", log);

        // From the same address again, nothing to add or close, and nothing said.
        var again = await h.Core.RunAsync(4);
        var againLog = await h.Core.LogTextAsync(again);
        Succeeded(again, againLog);
        Assert.DoesNotContain("now admits", againLog);
        Assert.DoesNotContain("no longer admits", againLog);
        Assert.Equal(3, group.Ingress.Count);
    }

    [Fact]
    public async Task The_AWS_status_says_when_Airflows_port_does_not_admit_this_machine()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        using var monitor = new AwsStatusMonitor(h.Cloud, h.Connector, h.Core.Store, h.Core.Settings, TimeProvider.System,
            TimeSpan.FromMilliseconds(20), h.Get<AwsTargetOptions>());
        var id = await h.DeploymentIdAsync();
        h.Airflow.Failure = Unreachable;

        // Silent, though the port admits this machine: nothing more to say.
        Assert.Equal("not answering (Unreachable)", (await FirstStatusAsync(monitor, id)).AirflowHealth);

        // The laptop went home.
        h.PublicAddress.Value = "198.51.100.20/32";
        // A new monitor: the first keeps the address it looked up for five minutes.
        using var again = new AwsStatusMonitor(h.Cloud, h.Connector, h.Core.Store, h.Core.Settings, TimeProvider.System,
            TimeSpan.FromMilliseconds(20), h.Get<AwsTargetOptions>());
        Assert.Equal("not answering (Unreachable): port 8080 admits 203.0.113.7/32, not 198.51.100.20/32 (this machine's address now); the next phase you run opens it to that address",
            (await FirstStatusAsync(again, id)).AirflowHealth);
    }

    internal static async Task<AwsStatus> FirstStatusAsync(AwsStatusMonitor monitor, Guid deploymentId)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var statuses = monitor.WatchAsync(deploymentId, stop.Token).GetAsyncEnumerator(stop.Token);
        Assert.True(await statuses.MoveNextAsync());
        return statuses.Current;
    }

    [Theory]
    [InlineData("203.0.113.7/32", "203.0.113.7/32", true)]
    [InlineData("203.0.113.0/24", "203.0.113.7/32", true)]
    [InlineData("203.0.113.7/32", "203.0.113.0/24", false)]
    [InlineData("203.0.113.7/32", "198.51.100.20/32", false)]
    [InlineData("not a range", "203.0.113.7/32", false)]
    public void A_rule_admits_an_address_or_range_it_takes_in_whole(string rule, string wanted, bool admitted) =>
        Assert.Equal(admitted, OperatorAddress.IsAdmitted([rule], wanted));

    /// <summary>EC2 refuses a rule description with other characters than its own set, and longer than 255.</summary>
    [Theory]
    [InlineData("lab-desktop", "cord19 operator, panel lab-desktop")]
    [InlineData("  Jo's Mac  ", "cord19 operator, panel Jo-s Mac")]
    [InlineData(null, "cord19 operator")]
    public void A_rule_names_the_panel_instance_in_characters_EC2_takes(string? panel, string description) =>
        Assert.Equal(description, OperatorAddress.RuleDescription(panel));

    [Fact]
    public void A_panel_closes_only_the_addresses_it_opened_and_one_with_no_name_closes_none()
    {
        AdmittedRange[] admitted =
        [
            new("203.0.113.7/32", OperatorAddress.RuleDescription("laptop")),
            new("198.51.100.20/32", OperatorAddress.RuleDescription("laptop")),
            new("192.0.2.50/32", OperatorAddress.RuleDescription("lab-desktop")),
            new("192.0.2.60/32", "cord19 operator"),
        ];

        Assert.Equal(["203.0.113.7/32"], OperatorAddress.LeftBehind(admitted, "198.51.100.20/32", "laptop"));
        Assert.Empty(OperatorAddress.LeftBehind(admitted, "198.51.100.20/32", null));
    }

    [Fact]
    public void A_rule_description_stays_within_EC2s_255_characters() =>
        Assert.Equal(255, OperatorAddress.RuleDescription(new string('x', 400)).Length);

    [Fact]
    public async Task Phase_three_waits_out_a_silent_Airflow_while_the_DAGs_are_listed()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        ReadyDags(h);
        for (var phase = 1; phase <= 2; phase++) Succeeded(await h.Core.RunAsync(phase), "");
        var (unanswered, unpauses) = (0, 0);
        h.Airflow.FailureOf = call =>
            (call == "dags" && unanswered++ < 2) || (call.StartsWith("paused ", StringComparison.Ordinal) && unpauses++ == 0)
                ? new AirflowException(AirflowProblem.ServerError, "502", 502) : null;

        var state = await h.Core.RunAsync(3);

        var log = await h.Core.LogTextAsync(state);
        Succeeded(state, log);
        Assert.All(h.Airflow.Dags, dag => Assert.False(dag.IsPaused));
        Assert.Contains("Airflow on the instance answered with a server error (502), while waiting for the pipeline's DAGs to be listed.", log);
    }
}
