using Cord19.Core.Aws;
using static Cord19.Core.Json.LenientJson;

namespace Cord19.Core.Targets.Aws;

public sealed partial class AwsCloud
{
    public async Task<LakeTable?> FindLakeTableAsync(string database, string table, CancellationToken ct)
    {
        try
        {
            await Api.JsonAsync(AwsService.Glue, "GetDatabase", new { Name = database }, ct);
            var answer = await Api.JsonAsync(AwsService.Glue, "GetTable", new { DatabaseName = database, Name = table }, ct);
            var storage = Object(Object(answer, "Table"), "StorageDescriptor");
            return new LakeTable(database, table, Str(storage, "Location"), Array(storage, "Columns").Count());
        }
        catch (AwsException ex) when (ex.Kind == AwsErrorKind.NotFound)
        {
            return null;
        }
    }
}
