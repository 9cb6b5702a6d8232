using System.Data.Common;
using Cord19.Core.Pipeline;
using DuckDB.NET.Data;

namespace Cord19.Core.Targets.Local;

/// <summary>
/// The local stand-in for Redshift Spectrum over the Glue data lake: CORD-19 metadata registered as a table
/// in an embedded DuckDB database, queried with SQL by pre-processing.
/// </summary>
public sealed class DuckDbDataLake(string databasePath)
{
    public const string Table = "metadata";

    /// <summary>The step that loads the table, as phase 2's log names it.</summary>
    public const string LoadStep = "register-metadata";

    private const string MemoryLimit = "1GB";

    public sealed record Registration(long Rows, long RowsWithAbstract, IReadOnlyList<string> Columns);

    /// <summary>Loads a metadata.csv (plain or gzip) into the table, replacing what was there.</summary>
    /// <exception cref="InvalidDataException">The file is not readable CSV or is not CORD-19 metadata; the message says which and how to fix it.</exception>
    public async Task<Registration> RegisterAsync(string csvPath, CancellationToken ct)
    {
        if (!File.Exists(csvPath))
            throw new InvalidDataException($"Metadata file '{csvPath}' does not exist. Set the path of a CORD-19 metadata.csv in Settings, or clear it to use the shipped sample.");
        if (new FileInfo(csvPath).Length == 0)
            throw new InvalidDataException($"Metadata file '{csvPath}' is empty. Choose a CORD-19 metadata.csv with a header and rows.");

        Directory.CreateDirectory(Path.GetDirectoryName(databasePath)!);
        await using var connection = await OpenAsync(ct);
        try
        {
            // all_varchar: CORD-19 columns mix types across rows (publish_time is "2020" or "2020-03-13").
            await ExecuteAsync(connection,
                $"CREATE OR REPLACE TABLE {Table} AS SELECT * FROM read_csv({Literal(csvPath)}, header = true, delim = ',', all_varchar = true, quote = '\"', escape = '\"')", ct);
        }
        catch (DbException ex)
        {
            throw new InvalidDataException(
                $"Metadata file '{csvPath}' could not be read as CSV: {FirstLine(ex.Message)} " +
                "Check that it is a comma-separated CORD-19 metadata.csv (optionally gzip-compressed) with properly quoted fields.", ex);
        }

        var columns = await ColumnsAsync(connection, ct);
        MetadataColumns mapped;
        try
        {
            mapped = MetadataColumns.Map(columns, $"Metadata file '{csvPath}'");
        }
        catch (InvalidDataException)
        {
            await ExecuteAsync(connection, $"DROP TABLE IF EXISTS {Table}", ct);
            throw;
        }

        var rows = await ScalarAsync(connection, $"SELECT count(*) FROM {Table}", ct);
        var withAbstract = await ScalarAsync(connection,
            $"SELECT count(*) FROM {Table} WHERE trim(coalesce({Quote(mapped.Abstract)}, '')) <> ''", ct);
        if (rows == 0)
            throw new InvalidDataException($"Metadata file '{csvPath}' has a header but no rows. Choose a file with papers in it.");
        return new Registration(rows, withAbstract, columns);
    }

    /// <summary>Streams the registered papers, mapped by column name.</summary>
    public async IAsyncEnumerable<PaperRecord> ReadPapersAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        if (!File.Exists(databasePath))
            throw new InvalidDataException("The data lake database is missing. Run phase 2 (data lake setup) again.");
        await using var connection = await OpenAsync(ct);
        var columns = await ColumnsAsync(connection, ct);
        if (columns.Count == 0)
            throw new InvalidDataException($"The data lake has no '{Table}' table. Run phase 2 (data lake setup) again.");
        var map = MetadataColumns.Map(columns, "The data lake table");

        var selected = map.Present.ToList();
        await using var command = connection.CreateCommand();
        // Streamed, not materialised (DuckDB.NET's default): the whole table's result took 5 GB before the first row
        // of the synthetic million reached pre-processing, which then peaked at 7.2-7.4 GB instead of its own 2.4 GB.
        command.UseStreamingMode = true;
        command.CommandText = $"SELECT {string.Join(", ", selected.Select(Quote))} FROM {Table}";
        await using var reader = await command.ExecuteReaderAsync(ct);
        var ordinal = selected.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i);
        long row = 0;
        while (await reader.ReadAsync(ct))
        {
            var i = ++row;
            yield return map.Read(column => reader.IsDBNull(ordinal[column]) ? null : reader.GetString(ordinal[column]), i);
        }
    }

    private async Task<DuckDBConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new DuckDBConnection($"Data Source={databasePath}");
        await connection.OpenAsync(ct);
        // DuckDB's buffer pool may otherwise grow to 80% of the machine's memory, and a scan of the whole table keeps
        // every block it read: on the synthetic million that was 3 GB beside pre-processing's own, in the panel's
        // process. The lake needs little: the load streams the file and pre-processing streams the rows.
        await ExecuteAsync(connection, $"SET memory_limit = '{MemoryLimit}'", ct);
        return connection;
    }

    private static async Task<List<string>> ColumnsAsync(DuckDBConnection connection, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT column_name FROM information_schema.columns WHERE table_name = '{Table}' ORDER BY ordinal_position";
        await using var reader = await command.ExecuteReaderAsync(ct);
        var columns = new List<string>();
        while (await reader.ReadAsync(ct)) columns.Add(reader.GetString(0));
        return columns;
    }

    private static async Task ExecuteAsync(DuckDBConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<long> ScalarAsync(DuckDBConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct));
    }

    private static string Literal(string value) => "'" + value.Replace("'", "''") + "'";
    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";
    private static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
