using Cord19.Core.Airflow;
using Cord19.Core.Deployments;
using Hangfire;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Cord19.Web.Hosting;

/// <summary>/health/live: the process answers. /health/ready: its database and job server work too, and how the configured Airflow is.</summary>
public static class HealthChecks
{
    public static IServiceCollection AddCord19HealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseCheck>("database", tags: ["ready"])
            .AddCheck<JobServerCheck>("hangfire", tags: ["ready"])
            .AddCheck<ClockCheck>("clock", tags: ["ready"])
            .AddCheck<AirflowCheck>("airflow", tags: ["ready"]);
        return services;
    }

    public static IEndpointRouteBuilder MapCord19HealthChecks(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = WriteAsync }).AllowAnonymous();
        return app;
    }

    // Names, states and our own sentences only. A check that threw has the exception's message as its description, and
    // that may hold a path, an address or a third party's raw answer; the health service has logged it.
    private static Task WriteAsync(HttpContext http, HealthReport report) =>
        http.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Exception is null ? e.Value.Description : "The check failed unexpectedly; the panel's log has the cause.",
            }),
        });

    /// <summary>
    /// One connection, without the retries that the state's writes have: a probe that waited out a fail-over would answer
    /// after a minute, past any orchestrator's timeout, instead of saying at once that the database is out of reach.
    /// </summary>
    private sealed class DatabaseCheck(StateDatabase database, IDbContextFactory<Cord19Db> factory) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
        {
            if (database.IsPostgres)
                return await AnswerWithinAsync(async within => { await database.EnsureReachableAsync(within); return true; }, ct)
                    ? HealthCheckResult.Healthy("The state database answers.")
                    : HealthCheckResult.Unhealthy("The state database (PostgreSQL, CORD19_POSTGRES) does not answer.");
            await using var db = await factory.CreateDbContextAsync(ct);
            return await db.Database.CanConnectAsync(ct)
                ? HealthCheckResult.Healthy("The state database answers.")
                : HealthCheckResult.Unhealthy("The state database does not answer: check the data directory.");
        }
    }

    /// <summary>
    /// Degraded when this instance's clock and PostgreSQL's disagree by more than a look: the times it records are off by as
    /// much (InstanceLivenessOptions.ClockDisagreement). Never unhealthy: this instance itself works.
    /// </summary>
    private sealed class ClockCheck(StateDatabase database, DeploymentStore store, Cord19.Core.Execution.InstanceLivenessOptions liveness) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
        {
            if (!database.IsPostgres) return HealthCheckResult.Healthy("One instance (SQLite): no other clock to agree with.");
            if (await AnswerWithinAsync(store.ClockAheadOfDatabaseAsync, ct) is not { } ahead)
                return HealthCheckResult.Degraded("Not compared with PostgreSQL's clock: the state database does not answer.");
            return liveness.ClockDisagreement(ahead) is { } disagreement
                ? HealthCheckResult.Degraded(disagreement)
                : HealthCheckResult.Healthy($"Within {liveness.Interval.TotalSeconds:0} s of PostgreSQL's clock.");
        }
    }

    /// <summary>
    /// How long a check may wait. docker-compose waits 5 s for the whole probe, whose checks run side by side; the rest
    /// is the probe's own work, which on a busy machine took over a second (a CI run under load measured 5.1 s with 4 s here).
    /// </summary>
    private static readonly TimeSpan CheckBudget = TimeSpan.FromSeconds(3);

    /// <summary>
    /// <paramref name="ask"/>'s answer, or default when it does not answer within <see cref="CheckBudget"/> or its
    /// database is out of reach. Npgsql and the Airflow client would wait 15 s for a host that takes the connection and
    /// never answers. An <paramref name="ask"/> that ignores the token is left to end on its own timeouts.
    /// </summary>
    private static async Task<T?> AnswerWithinAsync<T>(Func<CancellationToken, Task<T>> ask, CancellationToken ct)
    {
        using var within = CancellationTokenSource.CreateLinkedTokenSource(ct);
        within.CancelAfter(CheckBudget);
        try
        {
            return await ask(within.Token).WaitAsync(within.Token);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or StateDatabaseOutOfReachException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return default;
        }
    }

    private sealed class JobServerCheck(JobStorage storage, ILogger<JobServerCheck> logger) : IHealthCheck
    {
        // Hangfire's monitoring API is synchronous and takes no token: it runs aside, so that a storage which holds the
        // connection holds a pool thread until Npgsql's 15 s timeout, not the probe.
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
            await AnswerWithinAsync(within => Task.Run(CountServers, within), ct) switch
            {
                null => HealthCheckResult.Unhealthy("The job storage does not answer: phases would not start."),
                0 => HealthCheckResult.Unhealthy("No background job server is running: phases would not start."),
                var servers => HealthCheckResult.Healthy($"{servers} job server(s) running."),
            };

        // Hangfire's PostgreSQL storage does not always let Npgsql's exception through when its database goes: once, in
        // a CI run under load, the probe of a severed database said "failed unexpectedly" instead. Whatever the storage
        // throws, phases would not start; the log keeps what it was.
        private int? CountServers()
        {
            try
            {
                return storage.GetMonitoringApi().Servers().Count;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "The job storage did not answer the readiness probe.");
                return null;
            }
        }
    }

    /// <summary>
    /// Degraded, never unhealthy: the panel, its local target and its teardown work without Airflow. Anonymous
    /// endpoint, so the kind of problem only, not the message (it names Airflow's address).
    /// </summary>
    private sealed class AirflowCheck(IAirflowClient airflow) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
            await AnswerWithinAsync<HealthCheckResult?>(async within => await AskAsync(within), ct)
            ?? HealthCheckResult.Degraded($"Airflow did not answer within {CheckBudget.TotalSeconds:0} s.");

        private async Task<HealthCheckResult> AskAsync(CancellationToken ct)
        {
            try
            {
                var health = await airflow.GetHealthAsync(ct);
                return health.IsHealthy
                    ? HealthCheckResult.Healthy("Airflow's scheduler and database are healthy.")
                    : HealthCheckResult.Degraded($"Airflow answers, but its scheduler is {health.Scheduler ?? "unknown"} and its database {health.Metadatabase ?? "unknown"}.");
            }
            catch (AirflowException ex) when (ex.Problem == AirflowProblem.NotConfigured)
            {
                return HealthCheckResult.Healthy("No Airflow configured or deployed (the local target needs none).");
            }
            catch (AirflowException ex)
            {
                return HealthCheckResult.Degraded($"Airflow: {ex.Problem}.");
            }
        }
    }
}
