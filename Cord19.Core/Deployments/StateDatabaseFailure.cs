using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Cord19.Core.Deployments;

/// <summary>
/// Why the state database failed a write or a read, in words a user can act on: a read-only database or disk is not
/// "another phase has just started" (the one failure that is a lost race), and PostgreSQL out of reach past the retries
/// is neither.
/// </summary>
public static class StateDatabaseFailure
{
    /// <summary>The unique "one running phase" index said no: another process won the race.</summary>
    public static bool IsLostRace(DbUpdateException ex) => ex.InnerException switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode == 19, // SQLITE_CONSTRAINT
        Npgsql.PostgresException postgres => postgres.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation,
        _ => false,
    };

    /// <summary>The end of a phase whose progress could not be recorded because PostgreSQL stayed out of reach.</summary>
    public const string OutageReason =
        "Stopped: the state database could not be reached for about a minute, so this phase could not record its progress. " +
        "Check that PostgreSQL (CORD19_POSTGRES) is up and reachable, then resume the phase.";

    /// <summary>What a request that met the same outage is told (<see cref="StateDatabaseOutOfReachException"/>).</summary>
    public const string OutOfReach =
        "The state database could not be reached, even after retrying, so this could not be read or recorded; what was recorded before is kept. " +
        "Check that PostgreSQL (CORD19_POSTGRES) is up and reachable, then try again.";

    /// <summary>What went wrong and the fix, for any other failed write.</summary>
    public static string Describe(Exception ex) => ((ex as DbUpdateException)?.InnerException ?? ex) switch
    {
        SqliteException { SqliteErrorCode: 8 } => // SQLITE_READONLY
            "The state database is read-only, so nothing can be recorded: make the data directory (CORD19_DATA_DIR) and its cord19.db writable by the panel's user, then try again.",
        SqliteException { SqliteErrorCode: 13 } => // SQLITE_FULL
            "The disk holding the state database is full: free some space in the data directory, then try again.",
        Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.ReadOnlySqlTransaction } =>
            "The PostgreSQL database is read-only (a standby, or default_transaction_read_only): point CORD19_POSTGRES at the primary, then try again.",
        _ => "The state database refused the write; the server log has the details. Check the database (disk space, permissions, CORD19_POSTGRES), then try again.",
    };
}
