using System.Text.Json;
using Cord19.Core.Aws;
using static Cord19.Core.Json.LenientJson;

namespace Cord19.Core.Targets.Aws;

public sealed partial class AwsCloud
{
    private static readonly TimeSpan SqlPoll = TimeSpan.FromSeconds(2);
    /// <summary>The UNLOAD of the data lake takes minutes, not hours.</summary>
    internal static readonly TimeSpan SqlLimit = TimeSpan.FromMinutes(20);

    public async Task CreateClusterAsync(ClusterSpec spec, CancellationToken ct)
    {
        var parameters = new AwsParameters()
            .Add("ClusterIdentifier", spec.Identifier)
            .Add("NodeType", spec.NodeType)
            .Add("ClusterType", spec.Nodes == 1 ? "single-node" : "multi-node")
            .Add("NumberOfNodes", spec.Nodes == 1 ? null : spec.Nodes)
            .Add("DBName", spec.Database)
            .Add("MasterUsername", spec.MasterUser)
            .Add("MasterUserPassword", spec.MasterPassword)
            // Private: the panel talks to it through the Redshift Data API, which needs no open port, so its group admits nothing.
            .Add("PubliclyAccessible", false)
            .Add("Encrypted", true)
            .List("VpcSecurityGroupIds", "VpcSecurityGroupId", [spec.SecurityGroupId])
            .List("IamRoles", "IamRoleArn", [spec.SpectrumRoleArn])
            .Tags("Tags", "Tag", spec.Tags);
        try
        {
            await Api.QueryAsync(AwsService.Redshift, "CreateCluster", parameters, ct);
        }
        catch (AwsException ex) when (ex.Kind == AwsErrorKind.AlreadyExists)
        {
            // A resumed phase: the first attempt created it.
        }
    }

    public async Task<ClusterState?> FindClusterAsync(string identifier, CancellationToken ct)
    {
        try
        {
            var answer = await Api.QueryAsync(AwsService.Redshift, "DescribeClusters", new AwsParameters().Add("ClusterIdentifier", identifier), ct);
            var cluster = answer.Find("Clusters")?.Elements().FirstOrDefault();
            if (cluster is null) return null;
            var endpoint = cluster.Child("Endpoint");
            return new ClusterState(cluster.Text("ClusterIdentifier") ?? identifier, cluster.Text("ClusterStatus") ?? "unknown",
                endpoint.Text("Address"), int.TryParse(endpoint.Text("Port"), out var port) ? port : null);
        }
        catch (AwsException ex) when (ex.Kind == AwsErrorKind.NotFound)
        {
            return null;
        }
    }

    public async Task DeleteClusterAsync(string identifier, CancellationToken ct)
    {
        try
        {
            await Api.QueryAsync(AwsService.Redshift, "DeleteCluster", new AwsParameters()
                .Add("ClusterIdentifier", identifier).Add("SkipFinalClusterSnapshot", true), ct);
        }
        catch (AwsException ex) when (ex.Kind == AwsErrorKind.NotFound || (ex.Kind == AwsErrorKind.DependencyViolation && ex.AwsMessage.Contains("deleting", StringComparison.OrdinalIgnoreCase)))
        {
            // Gone already, or already being deleted.
        }
    }

    public Task PauseClusterAsync(string identifier, CancellationToken ct) =>
        Api.QueryAsync(AwsService.Redshift, "PauseCluster", new AwsParameters().Add("ClusterIdentifier", identifier), ct);

    public Task ResumeClusterAsync(string identifier, CancellationToken ct) =>
        Api.QueryAsync(AwsService.Redshift, "ResumeCluster", new AwsParameters().Add("ClusterIdentifier", identifier), ct);

    public async Task SchedulePauseAsync(PauseSchedule schedule, CancellationToken ct)
    {
        var parameters = new AwsParameters()
            .Add("ScheduledActionName", schedule.Name)
            .Add("TargetAction.PauseCluster.ClusterIdentifier", schedule.Cluster)
            // Redshift's one-time form, in UTC.
            .Add("Schedule", $"at({schedule.At.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss})")
            .Add("IamRole", schedule.RoleArn)
            .Add("ScheduledActionDescription", schedule.Description);
        try
        {
            await Api.QueryAsync(AwsService.Redshift, "CreateScheduledAction", parameters, ct);
        }
        catch (AwsException ex) when (ex.Kind == AwsErrorKind.AlreadyExists)
        {
            // Phase 2 run again: the new time replaces the old one, which may have passed (a one-time action that ran
            // stays listed). Deleted and made again rather than modified, since an action that ran may not be changed.
            await DeletePauseScheduleAsync(schedule.Name, ct);
            await Api.QueryAsync(AwsService.Redshift, "CreateScheduledAction", parameters, ct);
        }
    }

    public async Task DeletePauseScheduleAsync(string name, CancellationToken ct)
    {
        try
        {
            await Api.QueryAsync(AwsService.Redshift, "DeleteScheduledAction", new AwsParameters().Add("ScheduledActionName", name), ct);
        }
        catch (AwsException ex) when (ex.Kind == AwsErrorKind.NotFound)
        {
            // Never made, or deleted already.
        }
    }

    public async Task<IReadOnlyList<ClusterSnapshot>> ManualSnapshotsAsync(string? cluster, CancellationToken ct)
    {
        var listed = await Api.QueryListAsync(AwsService.Redshift, "DescribeClusterSnapshots", "Snapshots", () => new AwsParameters()
            .Add("ClusterIdentifier", cluster).Add("SnapshotType", "manual").Add("MaxRecords", 100), ct);
        var found = listed
            .Where(s => s.Text("SnapshotType") is null or "manual")
            .Select(s => new ClusterSnapshot(s.Text("SnapshotIdentifier") ?? "?", s.Text("ClusterIdentifier") ?? "", s.Text("Status") ?? "unknown",
                s.Time("SnapshotCreateTime") is { } at ? new DateTimeOffset(at, TimeSpan.Zero) : null,
                DeploymentOf(s.Members("Tags").Select(t => (t.Text("Key") ?? "", t.Text("Value") ?? "")))));
        // Kept to what was asked: an emulator may answer a cluster with no snapshots with every snapshot it has.
        return found.Where(s => cluster is null ? ResourceTags.IsName(s.Cluster) : s.Cluster == cluster).ToList();
    }

    public async Task DeleteSnapshotAsync(string cluster, string snapshot, CancellationToken ct)
    {
        try
        {
            // The cluster named too, since the operator policy grants the deletion on the project's clusters' snapshots alone.
            await Api.QueryAsync(AwsService.Redshift, "DeleteClusterSnapshot", new AwsParameters()
                .Add("SnapshotIdentifier", snapshot).Add("SnapshotClusterIdentifier", cluster), ct);
        }
        catch (AwsException ex) when (ex.Kind == AwsErrorKind.NotFound)
        {
            // Deleted already (in the console, or by an earlier attempt).
        }
    }

    public async Task<bool> NodeTypeOrderableAsync(string nodeType, CancellationToken ct)
    {
        var answer = await Api.QueryAsync(AwsService.Redshift, "DescribeOrderableClusterOptions",
            new AwsParameters().Add("NodeType", nodeType).Add("MaxRecords", 20), ct);
        return answer.Find("OrderableClusterOptions")?.Elements().Any(o => o.Text("NodeType") == nodeType) == true;
    }

    /// <summary>The code of a statement Redshift ran and that failed (its error is Redshift's own), rather than an API call AWS refused.</summary>
    public const string StatementFailed = "StatementFailed";

    public async Task<SqlResult> RunSqlAsync(string cluster, string database, string user, string sql, CancellationToken ct)
    {
        // Redshift Data API: no driver, no open port, temporary database credentials for the user.
        var started = await Api.JsonAsync(AwsService.RedshiftData, "ExecuteStatement",
            new { ClusterIdentifier = cluster, Database = database, DbUser = user, Sql = sql }, ct);
        var id = Str(started, "Id") ?? throw new AwsException("redshift-data:ExecuteStatement", "UnreadableResponse", "the answer named no statement id", null);
        var deadline = DateTime.UtcNow + SqlLimit;
        while (true)
        {
            var state = await Api.JsonAsync(AwsService.RedshiftData, "DescribeStatement", new { Id = id }, ct);
            var status = Str(state, "Status");
            if (status == "FINISHED")
            {
                if (Bool(state, "HasResultSet") != true) return new SqlResult(0, null);
                var result = await Api.JsonAsync(AwsService.RedshiftData, "GetStatementResult", new { Id = id }, ct);
                var records = Array(result, "Records").ToList();
                return new SqlResult(Long(result, "TotalNumRows") ?? records.Count, records.Count > 0 ? FirstValue(records[0]) : null);
            }
            if (status is "FAILED" or "ABORTED")
                throw new AwsException("redshift-data:ExecuteStatement", StatementFailed, Str(state, "Error") ?? $"the statement ended {status}", null);
            if (DateTime.UtcNow > deadline)
                throw new AwsException("redshift-data:DescribeStatement", "Timeout", $"the query was still {status} after {SqlLimit.TotalMinutes:0} minutes", null);
            await Task.Delay(SqlPoll, ct);
        }
    }

    /// <summary>A Redshift Data field is an object with one typed member: {"stringValue": "…"}, {"longValue": 5}, {"isNull": true}.</summary>
    private static string? FirstValue(JsonElement row)
    {
        if (row.ValueKind != JsonValueKind.Array || row.GetArrayLength() == 0 || row[0].ValueKind != JsonValueKind.Object) return null;
        foreach (var member in row[0].EnumerateObject())
            return member.Name == "isNull" ? null : member.Value.ToString();
        return null;
    }
}
