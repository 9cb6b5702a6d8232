using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.S3.Model;
using Cord19.Core.Settings;
using Cord19.Tests.Support.Airflow;
using Microsoft.AspNetCore.Http;

namespace Cord19.Tests.Support.Aws;

/// <summary>
/// Answers the Redshift Data API (ExecuteStatement, DescribeStatement, GetStatementResult, JSON 1.1) where moto's
/// never finishes a statement. It does what the cluster would: a count over the data lake answers its rows, and an
/// UNLOAD writes a gzip CSV with a header (the shipped CORD-19 sample) where the statement says, in moto's S3.
/// </summary>
public sealed partial class RedshiftDataStandIn : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, string> _statements = new();
    private FaultServer _server = null!;

    public const long LakeRows = 52_398;
    /// <summary>Set: an UNLOAD fails with this error, as Redshift reports a statement that S3 refused, and writes nothing.</summary>
    public string? UnloadFailure { get; set; }
    private readonly ConcurrentDictionary<string, string> _failures = new();
    public Uri BaseUrl => _server.BaseUrl;
    public IReadOnlyCollection<string> Sql => _statements.Values.ToList();

    public static async Task<RedshiftDataStandIn> StartAsync()
    {
        var standIn = new RedshiftDataStandIn();
        standIn._server = await FaultServer.StartAsync(standIn.AnswerAsync);
        return standIn;
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var target = context.Request.Headers["X-Amz-Target"].ToString();
        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        object answer;
        switch (target[(target.IndexOf('.') + 1)..])
        {
            case "ExecuteStatement":
                var sql = body.RootElement.GetProperty("Sql").GetString()!;
                var id = Guid.NewGuid().ToString();
                _statements[id] = sql;
                if (Unload().Match(sql) is { Success: true } unload)
                {
                    if (UnloadFailure is { } failure) _failures[id] = failure;
                    else await WriteExportAsync(unload.Groups[1].Value, unload.Groups[2].Value + "000.gz");
                }
                answer = new { Id = id, ClusterIdentifier = body.RootElement.GetProperty("ClusterIdentifier").GetString() };
                break;
            case "DescribeStatement":
                var statementId = body.RootElement.GetProperty("Id").GetString()!;
                var statement = _statements[statementId];
                answer = _failures.TryGetValue(statementId, out var error)
                    ? new { Id = statementId, Status = "FAILED", Error = error }
                    : new { Id = statementId, Status = "FINISHED", HasResultSet = statement.StartsWith("select", StringComparison.Ordinal) };
                break;
            case "GetStatementResult":
                answer = new { Records = new[] { new[] { new { longValue = LakeRows } } }, TotalNumRows = 1 };
                break;
            default:
                context.Response.StatusCode = 400;
                answer = new { __type = "ValidationException", message = $"{target} is not answered by this stand-in" };
                break;
        }
        context.Response.ContentType = "application/x-amz-json-1.1";
        await context.Response.WriteAsync(JsonSerializer.Serialize(answer));
    }

    private static async Task WriteExportAsync(string bucket, string key)
    {
        using var s3 = Moto.Connect().S3();
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, FilePath = DataDirectory.ShippedSample });
    }

    [GeneratedRegex("^unload \\(.*\\) to 's3://([^/]+)/([^']+)'", RegexOptions.Singleline)]
    private static partial Regex Unload();

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
