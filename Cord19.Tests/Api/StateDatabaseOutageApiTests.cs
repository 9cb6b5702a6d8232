using System.Data.Common;
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
