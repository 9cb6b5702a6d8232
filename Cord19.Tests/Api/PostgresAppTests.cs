using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cord19.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Cord19.Tests.Api;

/// <summary>The whole app on PostgreSQL: state, the Hangfire queue and the health probe.</summary>
[Collection(InProcessHostCollection.Name)]
public sealed class PostgresAppTests : IAsyncLifetime
{
    private string _database = null!;
    private WebAppFactory _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _database = await TestPostgres.CreateDatabaseAsync();
        _app = new WebAppFactory(_database);
        _http = _app.CreateClient();
    }

    [Fact]
    public async Task Phases_run_as_jobs_queued_in_postgres_and_health_reports_it()
    {
        for (var phase = 1; phase <= 2; phase++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await _http.PostAsync($"/api/phases/{phase}/run", null)).StatusCode);
            string status;
            var deadline = DateTime.UtcNow.AddSeconds(60);
            do
            {
                await Task.Delay(100);
                status = (await _http.GetFromJsonAsync<JsonElement[]>("/api/phases"))![phase - 1].GetProperty("status").GetString()!;
            }
            while (status == "Running" && DateTime.UtcNow < deadline);
            Assert.Equal("Succeeded", status);
        }

        var ready = await _http.GetFromJsonAsync<JsonElement>("/health/ready");
        Assert.Equal("Healthy", ready.GetProperty("status").GetString());
        await using var connection = new Npgsql.NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var count = new Npgsql.NpgsqlCommand("SELECT count(*) FROM \"PhaseRuns\" WHERE \"Status\" = 'Succeeded'", connection);
        Assert.Equal(2L, await count.ExecuteScalarAsync());
        await using var jobs = new Npgsql.NpgsqlCommand("SELECT count(*) FROM hangfire.job", connection);
        Assert.True((long)(await jobs.ExecuteScalarAsync())! >= 2);
    }

    [Theory]
    [InlineData(false)] // a restart or a fail-over: connections are refused
    [InlineData(true)] // a partition: connections open and are never answered (every driver's timeout is longer than 5 s)
    public async Task The_readiness_probe_says_at_once_that_PostgreSQL_is_out_of_reach_and_recovers_with_it(bool holds)
    {
        await using var relay = SeverableTcpRelay.ToPostgres(_database, out var throughRelay);
        await using var app = new WebAppFactory(throughRelay);
        using var http = app.CreateClient();
        await ReadyWithinAsync(http, TimeSpan.FromSeconds(10));

        if (holds) relay.Hold();
        else relay.Sever();
        // The state's writes wait out a fail-over for about a minute; a probe must not (docker-compose gives it 5 s).
        var probe = System.Diagnostics.Stopwatch.StartNew();
        var down = await http.GetAsync("/health/ready");
        probe.Stop();
        relay.Mend();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.True(probe.Elapsed < TimeSpan.FromSeconds(5), $"The probe took {probe.Elapsed.TotalSeconds:0.0} s: {await down.Content.ReadAsStringAsync()}");
        var checks = (await down.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks");
        Assert.Equal("Unhealthy", checks.GetProperty("database").GetProperty("status").GetString());
        Assert.Equal("The state database (PostgreSQL, CORD19_POSTGRES) does not answer.", checks.GetProperty("database").GetProperty("description").GetString());
        // Our sentence, not the driver's ("Exception while reading from stream", "The operation has timed out").
        Assert.Equal("Unhealthy", checks.GetProperty("hangfire").GetProperty("status").GetString());
        Assert.Equal("The job storage does not answer: phases would not start.", checks.GetProperty("hangfire").GetProperty("description").GetString());
        // As an orchestrator probes again: the job server may take a heartbeat to find its storage again.
        await ReadyWithinAsync(http, TimeSpan.FromSeconds(10));
    }

    private static async Task ReadyWithinAsync(HttpClient http, TimeSpan patience)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        HttpResponseMessage ready;
        while ((ready = await http.GetAsync("/health/ready")).StatusCode != HttpStatusCode.OK && waited.Elapsed < patience)
            await Task.Delay(250);
        Assert.True(ready.StatusCode == HttpStatusCode.OK, $"Not ready after {waited.Elapsed.TotalSeconds:0.0} s: {await ready.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task The_readiness_probe_is_degraded_while_this_instances_clock_is_off_from_PostgreSQLs()
    {
        var ahead = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(2));
        await using var skewed = new WebAppFactory(_database, services: s => s.AddSingleton<TimeProvider>(ahead));
        using var http = skewed.CreateClient();

        var ready = await http.GetFromJsonAsync<JsonElement>("/health/ready");

        Assert.Equal("Degraded", ready.GetProperty("status").GetString());
        var clock = ready.GetProperty("checks").GetProperty("clock");
        Assert.Equal("Degraded", clock.GetProperty("status").GetString());
        Assert.Matches(@"^This instance's clock is 1[12]\d s ahead of PostgreSQL's\. .* Keep the machines' clocks in sync \(NTP\)\.$",
            clock.GetProperty("description").GetString());
        // On the machine's own clock, as in every other test here, it is healthy.
        Assert.Equal("Healthy", (await _http.GetFromJsonAsync<JsonElement>("/health/ready")).GetProperty("checks").GetProperty("clock").GetProperty("status").GetString());
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
        await TestPostgres.DropDatabaseAsync(_database);
    }
}
