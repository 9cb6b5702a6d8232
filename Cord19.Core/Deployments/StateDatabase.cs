using System.Data.Common;
using System.Diagnostics;
using Cord19.Core.Deployments.Schema;
using Cord19.Core.Settings;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Npgsql.EntityFrameworkCore.PostgreSQL;

namespace Cord19.Core.Deployments;

/// <summary>
/// Where the app's state lives: SQLite under the data directory (the embedded default), or PostgreSQL when
/// CORD19_POSTGRES holds a connection string (several app instances, docker-compose).
/// </summary>
public sealed record StateDatabase(string? PostgresConnectionString, DataDirectory Data)
{
    public const string EnvironmentVariable = "CORD19_POSTGRES";

    public bool IsPostgres => !string.IsNullOrWhiteSpace(PostgresConnectionString);

    /// <summary>
    /// Registers <see cref="IDbContextFactory{Cord19Db}"/> for the engine in use. Everything but the migrations sees
    /// <see cref="Cord19Db"/>; the engine's subclass only selects its migrations.
    /// </summary>
    public void Register(IServiceCollection services)
    {
        if (IsPostgres)
        {
            services.AddDbContextFactory<PostgresCord19Db>(UsePostgres);
            services.AddSingleton<IDbContextFactory<Cord19Db>, EngineContextFactory<PostgresCord19Db>>();
        }
        else
        {
            services.AddDbContextFactory<SqliteCord19Db>(o => o.UseSqlite($"Data Source={Data.Database}"));
            services.AddSingleton<IDbContextFactory<Cord19Db>, EngineContextFactory<SqliteCord19Db>>();
        }
    }

    /// <summary>
    /// PostgreSQL with its writes retried. A fail-over or a restart of PostgreSQL drops every connection for seconds; without
    /// retries, the write under way (a phase's log line, its ledger) failed its phase. Npgsql's defaults, six retries waiting
    /// up to 30 s, give up after about a minute, by when InstanceLiveness has stopped this instance's phases anyway. A retry
    /// after a connection lost at the commit finds its own write done: the writes that must not happen twice check for it.
    /// </summary>
    public void UsePostgres(DbContextOptionsBuilder options) =>
        options.UseNpgsql(StateConnectionString(), npgsql => npgsql.ExecutionStrategy(dependencies => new RetryingStrategy(dependencies)))
            .AddInterceptors(CommandsWithinPatience.Instance);

    /// <summary>
    /// The configured connection string, with Npgsql's connect timeout at <see cref="ConnectTimeoutSeconds"/> unless it
    /// sets its own.
    /// </summary>
    private string StateConnectionString()
    {
        // Npgsql's builder holds every key, set or not; the plain one holds only those written.
        var npgsql = new NpgsqlConnectionStringBuilder(PostgresConnectionString);
        if (new DbConnectionStringBuilder { ConnectionString = PostgresConnectionString }.ContainsKey(nameof(npgsql.Timeout))) return PostgresConnectionString!;
        npgsql.Timeout = ConnectTimeoutSeconds;
        return npgsql.ConnectionString;
    }

    /// <summary>
    /// The state's connect timeout: libpq's advised least, where Npgsql's is 15 s. It bounds more than the connect: a
    /// query that times out is cancelled through a connection of its own (Npgsql's DoCancelRequest) before its error is
    /// raised, and into a partition that cost twice the connect timeout here. A person's read in a partition was answered
    /// after 40 s with 15 s (10 s of command timeout, then 30), after 20 s with 5 s, and after 14 s with 2 s, within their
    /// patience (StateDatabaseOutageApiTests). Connections are pooled, so few are opened, and the state's retries cover
    /// one that fails to open in time.
    /// </summary>
    public const int ConnectTimeoutSeconds = 2;

    /// <summary>Null when <see cref="PostgresConnectionString"/> is unset or well formed; otherwise what is wrong, and the fix.</summary>
    public string? WhyNotAConnectionString()
    {
        if (!IsPostgres) return null;
        try
        {
            _ = new NpgsqlConnectionStringBuilder(PostgresConnectionString);
            return null;
        }
        catch (ArgumentException ex)
        {
            // The value holds a password: only Npgsql's complaint (the key it could not set) is repeated.
            return $"{EnvironmentVariable} is not a PostgreSQL connection string ({ex.Message.Split(" (Parameter", 2)[0]}): use one such as " +
                   $"Host=db;Username=cord19;Password=…;Database=cord19, or unset it to keep the state in SQLite.";
        }
    }

    /// <summary>
    /// Connects once, without the retries that the state's writes have, so that a PostgreSQL which refuses the panel or
    /// cannot be reached stops the start at once (with <see cref="WhyUnreachable"/>), not after a minute of retries; and
    /// the readiness probe says so at once. A new connection, not the pool's: an idle pooled one opens without a word to
    /// the server, and would answer for a server that is gone.
    /// </summary>
    public async Task EnsureReachableAsync(CancellationToken ct = default)
    {
        if (!IsPostgres) return;
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(PostgresConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(ct);
    }

    /// <summary>
    /// Null unless <paramref name="failure"/> is PostgreSQL refusing or unreachable at start (the migrations are the first
    /// thing to connect); then which server, database and user, why, and the fix, without the password.
    /// </summary>
    public string? WhyUnreachable(Exception failure)
    {
        if (!IsPostgres) return null;
        var npgsql = failure;
        while (npgsql is not (null or NpgsqlException)) npgsql = npgsql.InnerException;
        if (npgsql is not NpgsqlException cause) return null;
        var c = new NpgsqlConnectionStringBuilder(PostgresConnectionString);
        var where = $"PostgreSQL at {c.Host}:{c.Port} (database {c.Database ?? c.Username}, user {c.Username}, from {EnvironmentVariable})";
        return (cause as PostgresException)?.SqlState switch
        {
            PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification =>
                $"{where} refused the sign-in: {((PostgresException)cause).MessageText}. Put that user's password in {EnvironmentVariable} " +
                "(with docker-compose, PostgreSQL keeps the POSTGRES_PASSWORD its volume was first made with).",
            PostgresErrorCodes.InvalidCatalogName =>
                $"{where}: the database does not exist. Create it (createdb), or name an existing one in {EnvironmentVariable}.",
            { } state => $"{where} refused the panel ({state}: {((PostgresException)cause).MessageText}). Fix that in PostgreSQL, or unset {EnvironmentVariable} to keep the state in SQLite.",
            null => $"{where} could not be reached: {cause.InnerException?.Message ?? cause.Message}. Start PostgreSQL there, or correct the host and port.",
        };
    }

    /// <summary>Each command waits for its answer no longer than the work under way allows (<see cref="StateDatabasePatience.CommandTimeout"/>).</summary>
    private sealed class CommandsWithinPatience : DbCommandInterceptor
    {
        public static readonly CommandsWithinPatience Instance = new();

        public override DbCommand CommandInitialized(CommandEndEventData eventData, DbCommand result)
        {
            if (StateDatabasePatience.CommandTimeout is { } limit && (result.CommandTimeout == 0 || result.CommandTimeout > limit.TotalSeconds))
                result.CommandTimeout = Math.Max(1, (int)limit.TotalSeconds);
            return result;
        }
    }

    /// <summary>
    /// Npgsql's retrying strategy with its defaults, cut short where a person waits (<see cref="StateDatabasePatience"/>),
    /// whose last word, when the retries run out, is a failure a person acts on
    /// (<see cref="StateDatabaseOutOfReachException"/>) rather than EF Core's RetryLimitExceededException.
    /// </summary>
    private sealed class RetryingStrategy(ExecutionStrategyDependencies dependencies) : NpgsqlRetryingExecutionStrategy(dependencies)
    {
        private long _firstTry;
        private long _thisTry;

        protected override void OnFirstExecution()
        {
            base.OnFirstExecution();
            _firstTry = _thisTry = Stopwatch.GetTimestamp();
        }

        /// <summary>
        /// Within a patience, a try is made only if it can answer in time, judged by the try that just failed: a refused
        /// connection fails at once and leaves room for the next waits (0, 1, 3 and 7 s); a try into a partition that
        /// waited out its timeouts would take as long again.
        /// </summary>
        protected override TimeSpan? GetNextDelay(Exception lastException)
        {
            if (base.GetNextDelay(lastException) is not { } delay) return null;
            var now = Stopwatch.GetTimestamp();
            if (StateDatabasePatience.Current is { } limit
                && Stopwatch.GetElapsedTime(_firstTry, now) + delay + Stopwatch.GetElapsedTime(_thisTry, now) > limit)
                return null;
            _thisTry = now + (long)(delay.TotalSeconds * Stopwatch.Frequency); // the next try begins after its wait
            return delay;
        }

        public override TResult Execute<TState, TResult>(TState state, Func<DbContext, TState, TResult> operation,
            Func<DbContext, TState, ExecutionResult<TResult>>? verifySucceeded)
        {
            try
            {
                return base.Execute(state, operation, verifySucceeded);
            }
            catch (RetryLimitExceededException ex)
            {
                throw new StateDatabaseOutOfReachException(ex);
            }
        }

        public override async Task<TResult> ExecuteAsync<TState, TResult>(TState state, Func<DbContext, TState, CancellationToken, Task<TResult>> operation,
            Func<DbContext, TState, CancellationToken, Task<ExecutionResult<TResult>>>? verifySucceeded, CancellationToken cancellationToken = default)
        {
            try
            {
                return await base.ExecuteAsync(state, operation, verifySucceeded, cancellationToken);
            }
            catch (RetryLimitExceededException ex)
            {
                throw new StateDatabaseOutOfReachException(ex);
            }
        }
    }

    private sealed class EngineContextFactory<T>(IDbContextFactory<T> engine) : IDbContextFactory<Cord19Db> where T : Cord19Db
    {
        public Cord19Db CreateDbContext() => engine.CreateDbContext();
        public async Task<Cord19Db> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
            await engine.CreateDbContextAsync(cancellationToken);
    }
}
