using Cord19.Core.Settings;
using Microsoft.EntityFrameworkCore;

namespace Cord19.Core.Deployments;

/// <summary>
/// Where the app's state lives: SQLite under the data directory (the embedded default), or PostgreSQL when
/// CORD19_POSTGRES holds a connection string (several app instances, docker-compose).
/// </summary>
public sealed record StateDatabase(string? PostgresConnectionString, DataDirectory Data)
{
    public const string EnvironmentVariable = "CORD19_POSTGRES";

    public bool IsPostgres => !string.IsNullOrWhiteSpace(PostgresConnectionString);

    public void Configure(DbContextOptionsBuilder options)
    {
        if (IsPostgres) options.UseNpgsql(PostgresConnectionString);
        else options.UseSqlite($"Data Source={Data.Database}");
    }

    /// <summary>A name for people and logs, without the password.</summary>
    public string Describe() => IsPostgres
        ? "PostgreSQL " + string.Join(";", PostgresConnectionString!.Split(';').Where(p => !p.TrimStart().StartsWith("Password", StringComparison.OrdinalIgnoreCase)))
        : $"SQLite {Data.Database}";
}
