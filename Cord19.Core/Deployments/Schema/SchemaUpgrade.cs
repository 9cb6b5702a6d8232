using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Cord19.Core.Deployments.Schema;

/// <summary>
/// Brings the state database to the current schema at start, keeping its data: EF Core migrations, one set per engine.
/// Several instances starting at once are safe: EF Core takes a migration lock.
/// </summary>
public static class SchemaUpgrade
{
    public static async Task ApplyAsync(Cord19Db db, CancellationToken ct = default)
    {
        await AdoptSchemaFromBeforeMigrationsAsync(db, ct);
        // Made here first, or EF Core logs its first read of the missing history table as a failed command.
        await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync(ct);
        await db.Database.MigrateAsync(ct);
    }

    /// <summary>
    /// Releases before migrations created the schema with EnsureCreated: the first migration's tables exist but no
    /// history says so, and applying it would fail on "table already exists". Record it as applied; later ones then run.
    /// </summary>
    private static async Task AdoptSchemaFromBeforeMigrationsAsync(Cord19Db db, CancellationToken ct)
    {
        var history = db.GetService<IHistoryRepository>();
        // Asked of the catalogue, not IHistoryRepository.ExistsAsync: Npgsql's answers true before the table exists.
        if (await TableExistsAsync(db, HistoryRepository.DefaultTableName, ct) || !await TableExistsAsync(db, "Deployments", ct)) return;

        var initial = db.Database.GetMigrations().First();
        await history.CreateIfNotExistsAsync(ct);
        try
        {
            await db.Database.ExecuteSqlRawAsync(history.GetInsertScript(new HistoryRow(initial, ProductInfo.GetVersion())), ct);
        }
        catch (Exception)
        {
            // Another instance may have adopted it at the same moment; anything else is a real failure.
            if (!(await history.GetAppliedMigrationsAsync(ct)).Any(m => m.MigrationId == initial)) throw;
        }
    }

    private static async Task<bool> TableExistsAsync(Cord19Db db, string table, CancellationToken ct)
    {
        var sql = db.Database.IsSqlite()
            ? "SELECT count(*) AS \"Value\" FROM sqlite_master WHERE type = 'table' AND name = {0}"
            : "SELECT count(*)::int AS \"Value\" FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = {0}";
        return await db.Database.SqlQueryRaw<int>(sql, table).SingleAsync(ct) > 0;
    }
}
