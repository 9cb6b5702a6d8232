using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cord19.Tests.Support;

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

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
        await TestPostgres.DropDatabaseAsync(_database);
    }
}
