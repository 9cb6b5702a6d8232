using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cord19.Core.Deployments;
using Cord19.Core.Execution;
using Cord19.Tests.Support;

namespace Cord19.Tests.Api;

/// <summary>
/// Two panel instances on one PostgreSQL, as two real processes. A de-allocation asked for on one stops the phase the
/// other is running, and deletes nothing until that phase has stopped: otherwise the phase would go on making what
/// phase 7 deletes (on AWS, an instance launched after the final sweep, billing until its lifetime ends). And the phase
/// of an instance that was killed is ended by the other, which can then run it: otherwise it shows "Running" for ever.
/// </summary>
public sealed class SeveralInstancesTests : IAsyncLifetime
{
    // Both instances: an instance unheard for this long has its phases ended by the other (90 s in use).
    private static readonly TimeSpan SilentAfter = TimeSpan.FromSeconds(6);

    // How long the running instance holds each step (see Environment), and how long a test waits for a phase to end.
    private static readonly TimeSpan Hold = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Wait = TimeSpan.FromMinutes(2);

    // The local target's instances share one data directory (either job server may run a phase).
    private readonly TempDirectory _data = new();
    private string _database = null!;
    private RunningApp _running = null!;
    private RunningApp? _asking;

    public async Task InitializeAsync()
    {
        _database = await TestPostgres.CreateDatabaseAsync();
        _running = await RunningApp.StartAsync(_data.Path, Environment("running"));
    }

    [Fact]
    public async Task Phase_7_asked_on_one_instance_stops_the_phase_running_on_another_before_deleting_anything()
    {
        var phase1 = await StartPhase1ThenTheOtherInstanceAsync();
        using var asking = _asking!.CreateClient();
        var phase7 = await RunIdAsync(await asking.PostAsync($"{_asking.Url}/api/phases/7/run", null));
        // Either job server may execute phase 7; on the running instance each of its two steps is held too (a CI run failed
        // at two minutes), so up to two holds longer than the usual wait.
        await UntilAsync(async () => (await PhaseAsync(asking, _asking, 7)).GetProperty("status").GetString() != "Running", Wait + 2 * Hold);

        Assert.Equal("Succeeded", (await PhaseAsync(asking, _asking, 7)).GetProperty("status").GetString());
        var phase1Log = await LogAsync(asking, phase1);
        var phase7Log = await LogAsync(asking, phase7);
        Assert.Contains(phase1Log, l => l.Step == "phase" && l.Message == PhaseRunner.CancelledReason);
        var stopped = Assert.Single(phase1Log, l => l.Step == "phase" && l.Message == PhaseRunner.StoppedAfterReplacement);
        Assert.DoesNotContain(phase7Log, l => l.Message.Contains("had not stopped", StringComparison.Ordinal));
        Assert.All(phase7Log.Where(l => l.Step != "phase"), l => Assert.True(l.At >= stopped.At,
            $"Phase 7 wrote '{l.Message}' at {l.At:O}, before phase 1 stopped at {stopped.At:O}."));
        Assert.DoesNotContain(phase1Log, l => l.At > stopped.At);

        // Either job server may execute phase 7: in the asking instance, it waited on the database for the other to stop.
        await using var connection = new Npgsql.NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var owner = new Npgsql.NpgsqlCommand($"SELECT \"Owner\" FROM \"PhaseRuns\" WHERE \"Id\" = '{phase7}'", connection);
        var asked = (await PhaseAsync(asking, _asking, 7)).GetProperty("requestedAt").GetDateTime();
        Figures.Report($"instances: phase 1 stopped {(stopped.At - asked).TotalMilliseconds:0} ms after phase 7 was asked for on the other instance " +
                       $"(phase 7 executed by the {await owner.ExecuteScalarAsync()} instance)");
    }

    [Fact]
    public async Task The_phase_of_a_killed_instance_is_interrupted_by_the_other_which_can_then_resume_it()
    {
        var phase1 = await StartPhase1ThenTheOtherInstanceAsync();
        using var asking = _asking!.CreateClient();

        _running.Kill();
        var killed = System.Diagnostics.Stopwatch.StartNew();
        await UntilAsync(async () => (await PhaseAsync(asking, _asking, 1)).GetProperty("status").GetString() != "Running");
        var interruptedAfter = killed.Elapsed;

        var phase = await PhaseAsync(asking, _asking, 1);
        Assert.Equal("Interrupted", phase.GetProperty("status").GetString());
        Assert.StartsWith("The instance running that ran this phase has not been heard from since ", phase.GetProperty("reason").GetString());
        // Not at the first look after the kill: only once the instance had been silent (its last look came a second or,
        // on a busy machine, a few before the kill).
        Assert.True(interruptedAfter >= SilentAfter / 2, $"Ended {interruptedAfter} after the kill.");
        Figures.Report($"instances: a killed instance's phase was marked interrupted {interruptedAfter.TotalSeconds:0.0} s after the kill " +
                       $"(silent after {SilentAfter.TotalSeconds:0} s here, 90 s in use)");

        var resumed = await RunIdAsync(await asking.PostAsync($"{_asking.Url}/api/phases/1/run?resume=true", null));
        await UntilAsync(async () => (await PhaseAsync(asking, _asking, 1)).GetProperty("status").GetString() != "Running");
        Assert.Equal("Succeeded", (await PhaseAsync(asking, _asking, 1)).GetProperty("status").GetString());
        Assert.NotEqual(phase1, resumed);
    }

    /// <summary>Phase 1 on the running instance; once it has started there, the asking instance (and its job server) starts.</summary>
    private async Task<Guid> StartPhase1ThenTheOtherInstanceAsync()
    {
        using var running = _running.CreateClient();
        var phase1 = await RunIdAsync(await running.PostAsync($"{_running.Url}/api/phases/1/run", null));
        await UntilAsync(async () => (await PhaseAsync(running, _running, 1)).GetProperty("startedAt").ValueKind != JsonValueKind.Null);
        _asking = await RunningApp.StartAsync(_data.Path, Environment("asking"));
        return phase1;
    }

    // The running instance holds each step for 60 s, the longest RunningApp waits for an instance to start, so that phase 1
    // is still running once the asking instance is up (with 10 s, phase 1 had ended in a CI run before the kill); the
    // tests end the hold by cancelling or killing it, so it costs no time. The asking one holds none, so that a phase 7
    // it executes would delete at once if it did not wait.
    private Dictionary<string, string> Environment(string instance) => new()
    {
        ["CORD19_POSTGRES"] = _database,
        ["CORD19_INSTANCE"] = instance,
        ["CORD19_TEST_STEP_DELAY_MS"] = instance == "running" ? $"{Hold.TotalMilliseconds}" : "0",
        [InstanceLivenessOptions.EnvironmentVariable] = $"{SilentAfter.TotalMilliseconds}",
    };

    private static async Task<Guid> RunIdAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetGuid();
    }

    private static async Task<JsonElement> PhaseAsync(HttpClient http, RunningApp app, int number) =>
        (await http.GetFromJsonAsync<JsonElement[]>($"{app.Url}/api/phases"))![number - 1];

    private async Task<IReadOnlyList<LogLine>> LogAsync(HttpClient http, Guid runId) =>
        (await http.GetFromJsonAsync<LogLine[]>($"{_asking!.Url}/api/runs/{runId}/log"))!;

    private static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan? limit = null)
    {
        var deadline = DateTime.UtcNow + (limit ?? Wait);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Waited {(limit ?? Wait).TotalMinutes:0} minutes.");
            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        await _running.DisposeAsync();
        if (_asking is not null) await _asking.DisposeAsync();
        await TestPostgres.DropDatabaseAsync(_database);
        _data.Dispose();
    }
}
