using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Cord19.Core.Deployments.Schema;

/// <summary>The state on SQLite (the embedded default); its migrations are in Schema/Sqlite.</summary>
public sealed class SqliteCord19Db(DbContextOptions<SqliteCord19Db> options) : Cord19Db(options);

/// <summary>The state on PostgreSQL (several instances); its migrations are in Schema/Postgres.</summary>
public sealed class PostgresCord19Db(DbContextOptions<PostgresCord19Db> options) : Cord19Db(options);

// `dotnet ef migrations add <Name> --context SqliteCord19Db|PostgresCord19Db -o Deployments/Schema/<Engine>` builds the
// context with these: no database is opened, the connection strings only pick the provider.
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteCord19Db>
{
    public SqliteCord19Db CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteCord19Db>().UseSqlite("Data Source=design-time.db").Options);
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresCord19Db>
{
    public PostgresCord19Db CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresCord19Db>().UseNpgsql("Host=design-time").Options);
}
