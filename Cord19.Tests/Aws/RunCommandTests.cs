using System.Diagnostics;
using Amazon.SimpleSystemsManagement.Model;
using Cord19.Core.Execution;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support;
using Cord19.Tests.Support.Aws;
using Microsoft.Extensions.Time.Testing;

namespace Cord19.Tests.Aws;

/// <summary>
/// Scripts on the instance through SSM Run Command (phase 3's install, the password rotation): the panel follows one for
/// as long as SSM lets it live, and one script runs at a time, so a second run of a phase never races a first.
/// </summary>
[Collection(InProcessHostCollection.Name)]
public sealed class RunCommandTests
{
    private static readonly AwsTargetOptions Options = new() { PollInterval = TimeSpan.FromMinutes(1) };

    [Fact]
    public async Task A_script_that_runs_past_an_Airflow_answers_limit_is_followed_to_its_end()
    {
        using var files = new TempDirectory();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var cloud = new FakeAwsCloud(files.Path);
        // A CORD-19 release's download: longer than the panel waits for an answer from Airflow, within SSM's hour.
        var ends = clock.GetUtcNow() + Options.AirflowAnswerLimit * 2;
        cloud.CommandAnswer = () => clock.GetUtcNow() < ends ? new CommandState("InProgress", null, null) : new CommandState("Success", "done", "");

        var done = await FollowAsync(cloud, clock);

        Assert.Equal("Success", done.Status);
        Assert.Equal(Options.RunCommand, Assert.Single(cloud.CommandLimits));
    }

    [Fact]
    public async Task The_panel_gives_up_on_a_script_only_once_SSM_would_have_ended_it()
    {
        using var files = new TempDirectory();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var cloud = new FakeAwsCloud(files.Path) { CommandAnswer = () => new CommandState("InProgress", null, null) };
        var sent = clock.GetUtcNow();

        var gaveUp = await Assert.ThrowsAsync<PhaseFailedException>(() => FollowAsync(cloud, clock));

        Assert.Contains("Gave up waiting for Run Command cmd-1 finishing", gaveUp.Message);
        Assert.True(clock.GetUtcNow() - sent >= Options.RunCommand.Delivery + Options.RunCommand.Execution,
            $"gave up after {clock.GetUtcNow() - sent}, while SSM lets the script live {Options.RunCommand.Delivery + Options.RunCommand.Execution}");
    }

    [Fact]
    public async Task Every_script_waits_for_the_one_before_it_on_the_instance()
    {
        using var files = new TempDirectory();
        var cloud = new FakeAwsCloud(files.Path);
        await FollowAsync(cloud, new FakeTimeProvider(DateTimeOffset.UtcNow), ["echo one"]);
        Assert.StartsWith(string.Join("\n", AwsPolling.OneAtATime) + "\necho one", Assert.Single(cloud.Commands));

        // The same lines under Ubuntu's sh, with the lock in a folder of the test's: the second script starts after the first ends.
        string Script(string body) => string.Join("\n", AwsPolling.OneAtATime).Replace("/run/lock", files.Path) + "\n" + body;
        var order = files.File("order");
        using var first = Dash(Script($"echo first-start >> {order}; sleep 1; echo first-end >> {order}"));
        await Until.TrueAsync(() => File.Exists(order), "the first script to hold the lock");
        using var second = Dash(Script($"echo second >> {order}"));
        await Task.WhenAll(first.WaitForExitAsync(), second.WaitForExitAsync());

        Assert.Equal(["first-start", "first-end", "second"], await File.ReadAllLinesAsync(order));
    }

    [MotoFact]
    public async Task SSM_is_given_the_limits_the_panel_follows_the_script_for()
    {
        await Moto.ResetAsync();
        var connection = Moto.Connect();
        using var cloud = new AwsCloud(connection);
        using var ssm = connection.Ssm();

        var limits = new RunCommandLimits(TimeSpan.FromMinutes(5), TimeSpan.FromHours(2));

        var id = await cloud.RunCommandAsync("i-0123456789abcdef0", ["echo cord19"], limits, CancellationToken.None);

        var sent = Assert.Single((await ssm.ListCommandsAsync(new ListCommandsRequest { CommandId = id })).Commands);
        Assert.Equal("AWS-RunShellScript", sent.DocumentName);
        Assert.Equal(["i-0123456789abcdef0"], sent.InstanceIds);
        Assert.Equal(300, sent.TimeoutSeconds);
        Assert.Equal(["7200"], sent.Parameters["executionTimeout"]);
        Assert.Equal(["echo cord19"], sent.Parameters["commands"]);
        Assert.True((await cloud.GetCommandAsync(id, "i-0123456789abcdef0", CancellationToken.None)).IsFinished);
        // Right after SendCommand, SSM may not know the invocation yet (InvocationDoesNotExist): pending, not a failure.
        Assert.Equal(new CommandState("Pending", null, null), await cloud.GetCommandAsync(id, "i-0fedcba9876543210", CancellationToken.None));
    }

    /// <summary>Sends <paramref name="script"/> and follows it, the fake clock moved on a poll interval at a time.</summary>
    private static async Task<CommandState> FollowAsync(FakeAwsCloud cloud, FakeTimeProvider clock, IReadOnlyList<string>? script = null)
    {
        var following = new AwsPolling(Options.PollInterval, clock)
            .RunOnInstanceAsync(cloud, new Core.Pipeline.UnrecordedSteps(), CancellationToken.None, "i-1", script ?? ["true"], Options);
        while (!following.IsCompleted)
        {
            clock.Advance(Options.PollInterval);
            await Task.Delay(1);
        }
        return await following;
    }

    private static Process Dash(string script) =>
        Process.Start(new ProcessStartInfo("/bin/dash", ["-c", script]))!;
}
