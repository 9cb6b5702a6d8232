using System.Text.Json;
using Cord19.Core.Aws;

namespace Cord19.Core.Targets.Aws;

public sealed partial class AwsCloud
{
    public async Task<LakeTable?> FindLakeTableAsync(string database, string table, CancellationToken ct)
    {
        try
        {
            await Api.JsonAsync(AwsService.Glue, "GetDatabase", new { Name = database }, ct);
            var answer = await Api.JsonAsync(AwsService.Glue, "GetTable", new { DatabaseName = database, Name = table }, ct);
            var found = answer.GetProperty("Table");
            var storage = found.TryGetProperty("StorageDescriptor", out var sd) ? sd : default;
            var location = storage.ValueKind == JsonValueKind.Object && storage.TryGetProperty("Location", out var l) ? l.GetString() : null;
            var columns = storage.ValueKind == JsonValueKind.Object && storage.TryGetProperty("Columns", out var c) && c.ValueKind == JsonValueKind.Array ? c.GetArrayLength() : 0;
            return new LakeTable(database, table, location, columns);
        }
        catch (AwsException ex) when (ex.Kind == AwsErrorKind.NotFound)
        {
            return null;
        }
    }
}
