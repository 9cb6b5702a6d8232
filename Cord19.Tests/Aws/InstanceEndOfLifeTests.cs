using System.Diagnostics;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support;

namespace Cord19.Tests.Aws;

/// <summary>
/// Runs the instance's end-of-life program with dash (Ubuntu's sh, which systemd gives it) and a stand-in
/// <c>shutdown</c> on the PATH that records what it was asked: the program runs at every boot, so what it schedules
/// from the deadline is what keeps a rebooted instance from running on.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class InstanceEndOfLifeTests
{
    [Theory]
    [InlineData(3600, "-h +60 ")]   // an hour left: the shutdown is scheduled, in whole minutes
    [InlineData(30, "-h +1 ")]      // less than a minute: rounded up, never early by more than the rounding
    [InlineData(-600, "-h now ")]   // the deadline passed while the instance was off: it ends at once
    public async Task At_every_boot_the_shutdown_is_scheduled_for_the_deadline_fixed_at_first_boot(int secondsLeft, string expected)
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("end-of-life"), $"{DateTimeOffset.UtcNow.ToUnixTimeSeconds() + secondsLeft}\n");
        await File.WriteAllTextAsync(dir.File("program"), InstanceEndOfLife.Script);
        Directory.CreateDirectory(dir.File("bin"));
        await File.WriteAllTextAsync(dir.File("bin/shutdown"), $"#!/bin/sh\necho \"$*\" > '{dir.File("asked")}'\n");
        File.SetUnixFileMode(dir.File("bin/shutdown"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var start = new ProcessStartInfo("/bin/dash", [dir.File("program"), dir.File("end-of-life")]) { RedirectStandardError = true };
        start.Environment["PATH"] = $"{dir.File("bin")}:/usr/bin:/bin";
        using var run = Process.Start(start)!;
        var errors = await run.StandardError.ReadToEndAsync();
        await run.WaitForExitAsync();

        Assert.True(run.ExitCode == 0, errors);
        Assert.StartsWith(expected, await File.ReadAllTextAsync(dir.File("asked")));
    }

    [Theory]
    [InlineData("Client.InstanceInitiatedShutdown: Instance initiated shutdown", "as it does at the deployment's maximum lifetime")]
    [InlineData("Server.SpotInstanceTermination: Spot instance termination", "a spot interruption")]
    [InlineData("Client.UserInitiatedShutdown: User initiated shutdown", "through EC2's console or API")]
    [InlineData("Server.InternalError: Internal error on launch", "Server.InternalError: Internal error on launch")]
    [InlineData(null, "AWS gave no reason")]
    public void An_ended_instance_says_in_words_who_ended_it(string? reason, string said)
    {
        var ended = new InstanceState("i-0abc", "terminated", null, null, null, reason);

        Assert.Contains(said, ended.EndedBecause);
        if (reason is not null) Assert.Contains(reason, ended.EndedBecause); // EC2's own words stay, for a search
    }

    [Theory]
    [InlineData(new[] { 8.0 }, 8.0)]
    [InlineData(new[] { 2.0, 24.0 }, 24.0)] // a retried phase 1 with another lifetime: the longest, never a meter short of the bill
    [InlineData(new[] { 8.0, -1.0 }, null)]  // one without a lifetime (-1 here): no deadline to date an end by
    public void The_deadline_is_the_launch_plus_the_longest_lifetime_a_phase_one_gave(double[] lifetimes, double? hours)
    {
        var launched = new DateTimeOffset(2026, 12, 3, 8, 0, 0, TimeSpan.Zero);
        var runs = lifetimes.Select((h, i) => new Cord19.Core.Deployments.PhaseRun
        {
            PhaseNumber = 1,
            StartedAt = launched.UtcDateTime.AddMinutes(i),
            SettingsJson = System.Text.Json.JsonSerializer.Serialize(new Cord19.Core.Settings.PipelineSettings { MaxLifetimeHours = h < 0 ? null : h },
                Cord19.Core.Settings.SettingsStore.Json),
        }).ToList();
        var instance = new InstanceState("i-0abc", "running", null, null, null, null) { LaunchedAt = launched };

        Assert.Equal(hours is { } h ? launched + TimeSpan.FromHours(h) : null, InstanceEndOfLife.Deadline(instance, runs));
        Assert.Null(InstanceEndOfLife.Deadline(instance with { LaunchedAt = null }, runs));
    }

    /// <summary>
    /// A replacement launched late in a deployment gets what is left of the deployment's lifetime, counted from its first
    /// request as the budget guard counts it: an interruption does not buy the instance a new lifetime.
    /// </summary>
    [Fact]
    public void A_replacement_ends_with_the_deployment_s_lifetime_and_the_first_instance_with_its_own()
    {
        var deployment = Guid.NewGuid();
        var names = new DeploymentNames(deployment);
        var start = new DateTime(2026, 12, 3, 8, 0, 0, DateTimeKind.Utc);
        var phaseOne = new Cord19.Core.Deployments.PhaseRun
        {
            DeploymentId = deployment, PhaseNumber = 1, RequestedAt = start, StartedAt = start.AddSeconds(1),
            SettingsJson = System.Text.Json.JsonSerializer.Serialize(new Cord19.Core.Settings.PipelineSettings { MaxLifetimeHours = 8 }, Cord19.Core.Settings.SettingsStore.Json),
        };
        var first = new InstanceState("i-0aaa", "running", null, null, null, null) { LaunchedAt = start.AddMinutes(2), ClientToken = names.InstanceClientToken };
        var replacement = new InstanceState("i-0bbb", "running", null, null, null, null) { LaunchedAt = start.AddHours(6), ClientToken = names.ReplacementClientToken("i-0aaa") };

        Assert.Equal(new DateTimeOffset(start.AddMinutes(2).AddHours(8)), InstanceEndOfLife.Deadline(first, [phaseOne]));
        Assert.Equal(new DateTimeOffset(start.AddHours(8)), InstanceEndOfLife.Deadline(replacement, [phaseOne]));
        Assert.Equal(TimeSpan.FromHours(2), InstanceEndOfLife.ReplacementLifetime(TimeSpan.FromHours(8), [phaseOne], new DateTimeOffset(start.AddHours(6))));
        Assert.Null(InstanceEndOfLife.ReplacementLifetime(null, [phaseOne], new DateTimeOffset(start.AddHours(6))));
    }

    [Fact]
    public void Without_a_maximum_lifetime_nothing_is_scheduled() =>
        Assert.DoesNotContain("shutdown", InstanceEndOfLife.FirstBoot(null));
}
