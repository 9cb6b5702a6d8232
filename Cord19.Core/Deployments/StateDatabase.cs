using Cord19.Core.Deployments.Schema;
using Cord19.Core.Settings;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

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
            services.AddDbContextFactory<PostgresCord19Db>(o => o.UseNpgsql(PostgresConnectionString));
            services.AddSingleton<IDbContextFactory<Cord19Db>, EngineContextFactory<PostgresCord19Db>>();
        }
        else
        {
            services.AddDbContextFactory<SqliteCord19Db>(o => o.UseSqlite($"Data Source={Data.Database}"));
            services.AddSingleton<IDbContextFactory<Cord19Db>, EngineContextFactory<SqliteCord19Db>>();
        }
    }

    private sealed class EngineContextFactory<T>(IDbContextFactory<T> engine) : IDbContextFactory<Cord19Db> where T : Cord19Db
    {
        public Cord19Db CreateDbContext() => engine.CreateDbContext();
        public async Task<Cord19Db> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
            await engine.CreateDbContextAsync(cancellationToken);
    }
}
