using System.Data.Common;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cord19.Core.Deployments;
using Cord19.Core.Deployments.Schema;
using Cord19.Tests.Support;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Cord19.Tests.Api;

/// <summary>
/// A request that meets the state database out of reach past its retries (a PostgreSQL down for over a minute) is told
/// so, with the fix and when to try again: a 503, not a 500 that names nothing.
/// </summary>
[Collection(InProcessHostCollection.Name)]
public sealed class StateDatabaseOutageApiTests : IAsyncLifetime
{
    private readonly OutOfReach _database = new();
    private string _postgres = null!;
    private WebAppFactory _app = null!;

    public async Task InitializeAsync()
    {
        _postgres = await TestPostgres.CreateDatabaseAsync();
        // The retries' minute is stood in for by what EF Core's strategy throws at its end, thrown inside the app's own
        // strategy (StateDatabase), which turns it into the failure the API answers (DatabaseOutageTests waits it out once).
        _app = new WebAppFactory(_postgres, services: s => s.ConfigureDbContext<PostgresCord19Db>(o => o.AddInterceptors(_database)));
    }

    [Fact]
    public async Task A_request_that_meets_the_state_database_out_of_reach_gets_a_503_naming_it_and_the_fix()
    {
        using var http = _app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/phases")).StatusCode);

        _database.Down = true;
        var read = await http.GetAsync("/api/phases");
        var click = await http.PostAsync("/api/phases/1/run", null);
        _database.Down = false;

        foreach (var response in new[] { read, click })
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(30), response.Headers.RetryAfter?.Delta);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(StateDatabaseFailure.OutOfReach, problem.GetProperty("detail").GetString());
        }
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/phases")).StatusCode);
    }

    /// <summary>
    /// A person who meets a PostgreSQL gone or silent is told within their patience, give or take a second (before, a read
    /// waited out the phases' minute of retries: 56 s; in a partition, 60 s); the phase they started, a job outside their request, keeps its minute and
    /// rides the same outage out.
    /// </summary>
    [Theory]
    [InlineData(false)] // a restart or a fail-over: every connection drops, new ones are refused
    [InlineData(true)] // a partition: nothing drops and nothing answers, so the query waits on its own timeout, then on
                       // Npgsql's request to cancel it on a connection of its own (twice the connect timeout, measured);
                       // no second try, which would take as long again
    public async Task A_person_is_told_within_seconds_while_the_phase_they_started_waits_for_the_database(bool stalls)
    {
        await using var relay = SeverableTcpRelay.ToPostgres(_postgres, out var throughRelay);
        await using var app = new WebAppFactory(throughRelay, new Dictionary<string, string> { ["CORD19_TEST_STEP_DELAY_MS"] = "1000" });
        using var http = app.CreateClient();
        Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsync("/api/phases/1/run", null)).StatusCode);
        while ((await PhaseOneAsync(http)).GetProperty("startedAt").ValueKind == JsonValueKind.Null) await Task.Delay(50);

        if (stalls) relay.Stall();
        else relay.Sever();
        var cut = Stopwatch.StartNew();
        var read = await http.GetAsync("/api/phases");
        var toldAfter = cut.Elapsed;
        // Longer than a person's patience, well within the phase's; mended before any assertion, so that a failing one
        // does not leave the app's job server stuck on a silent database when it stops.
        var outage = StateDatabasePatience.OfPerson + TimeSpan.FromSeconds(3);
        if (outage > cut.Elapsed) await Task.Delay(outage - cut.Elapsed);
        relay.Mend();
        var mended = DateTime.UtcNow;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, read.StatusCode);
        Assert.Equal(StateDatabaseFailure.OutOfReach, (await read.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.True(toldAfter <= StateDatabasePatience.OfPerson + TimeSpan.FromSeconds(1), $"Told after {toldAfter.TotalSeconds:0.0} s.");
        var deadline = Stopwatch.StartNew();
        while ((await PhaseOneAsync(http)).GetProperty("status").GetString() == "Running" && deadline.Elapsed < TimeSpan.FromSeconds(60))
            await Task.Delay(100);

        var phase = await PhaseOneAsync(http);
        Assert.True(phase.GetProperty("status").GetString() == "Succeeded", $"Phase 1: {phase}");
        Assert.True(phase.GetProperty("endedAt").GetDateTime().ToUniversalTime() >= mended, "Phase 1 ended before the database came back, so none of its writes met the outage.");
        Figures.Report($"outage: a person was told after {toldAfter.TotalSeconds:0.0} s; the phase rode out {Math.Max(outage.TotalSeconds, toldAfter.TotalSeconds):0} s of " +
                       (stalls ? "a partition (PostgreSQL silent)" : "PostgreSQL gone"));
    }

    private static async Task<JsonElement> PhaseOneAsync(HttpClient http) => (await http.GetFromJsonAsync<JsonElement[]>("/api/phases"))![0];

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await TestPostgres.DropDatabaseAsync(_postgres);
    }

    private sealed class OutOfReach : DbCommandInterceptor
    {
        public volatile bool Down;

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken ct = default) =>
            Down ? throw new RetryLimitExceededException("The maximum number of retries (6) was exceeded.", new TimeoutException()) : ValueTask.FromResult(result);
    }
}
