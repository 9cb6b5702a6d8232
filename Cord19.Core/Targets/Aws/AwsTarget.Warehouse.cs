using Cord19.Core.Execution;

namespace Cord19.Core.Targets.Aws;

public sealed partial class AwsTarget
{
    /// <summary>Phase 2: the Spectrum role, the cluster's network rule, a single-node cluster, the external schema over Glue, a test query.</summary>
    private async Task DeployWarehouseAsync(AwsRun run)
    {
        var (context, cloud, names) = run;
        var settings = context.Settings;
        string? roleArn = null;

        await context.StepAsync("data-lake", async ct =>
        {
            var table = await cloud.FindLakeTableAsync(AwsNames.LakeDatabase, AwsNames.LakeTable, ct)
                ?? throw new PhaseFailedException(
                    $"The Glue table {AwsNames.LakeDatabase}.{AwsNames.LakeTable} is not in {cloud.Region}. Deploy AWS's COVID-19 data lake " +
                    "CloudFormation template (the seed notebook's step; see the AWS checklist page) in this region, or choose its region in Settings.");
            await context.LogAsync($"Glue table {table.Database}.{table.Table}: {table.Columns} columns at {table.Location ?? "an unknown location"}.");
        });

        await context.StepAsync("spectrum-role", async ct =>
        {
            roleArn = await cloud.EnsureRoleAsync(AwsRoles.Spectrum, ct);
            await context.LogAsync($"Role {roleArn} lets Redshift Spectrum read the Glue catalogue and the data lake (shared; kept by phase 7).");
        });

        await context.StepAsync("security-group", async ct =>
        {
            var (group, vpc, cidr) = await EnsureSecurityGroupAsync(run, names.RedshiftSecurityGroup,
                "CORD-19 Redshift: the operator and the Airflow instance only", AwsNames.RedshiftPort, ct);
            if (await cloud.FindSecurityGroupAsync(names.AirflowSecurityGroup, vpc, ct) is { } airflowGroup)
                await cloud.AllowIngressAsync(group, AwsNames.RedshiftPort, null, airflowGroup, ct);
            await context.LogAsync($"Security group {group}: port {AwsNames.RedshiftPort} open to {cidr} and to the Airflow instance only.");
        });

        await context.StepAsync("master-password", ct => EnsurePasswordAsync(run, names.RedshiftPasswordParameter, "Redshift master password", ct));

        await context.StepAsync("cluster", async ct =>
        {
            await run.Context.RecordResourceAsync(AwsResourceKinds.Cluster, names.Cluster, $"{settings.RedshiftNodes} × {settings.RedshiftNodeType}");
            if (await cloud.FindClusterAsync(names.Cluster, ct) is { } existing)
            {
                await context.LogAsync($"Cluster {existing.Identifier} exists ({existing.Status}).");
                return;
            }
            var vpc = await cloud.DefaultVpcAsync(ct);
            var group = await cloud.FindSecurityGroupAsync(names.RedshiftSecurityGroup, vpc, ct)
                ?? throw new PhaseFailedException($"Security group {names.RedshiftSecurityGroup} is missing. Run phase 2 again.");
            var password = await cloud.GetSecretAsync(names.RedshiftPasswordParameter, ct)
                ?? throw new PhaseFailedException($"The password parameter {names.RedshiftPasswordParameter} is missing. Run phase 2 again.");
            await cloud.CreateClusterAsync(new ClusterSpec(names.Cluster, settings.RedshiftNodeType, settings.RedshiftNodes, AwsNames.Database,
                AwsNames.MasterUser, password, roleArn!, group, Tags(run)), ct);
            await context.LogAsync($"Cluster {names.Cluster} requested: {settings.RedshiftNodes} × {settings.RedshiftNodeType}, encrypted, reachable only as its security group allows.");
        });

        await context.StepAsync("cluster-available", async _ =>
        {
            var cluster = await Poll.UntilAsync(context, $"cluster {names.Cluster} available", options.ClusterLimit, async ct =>
            {
                var state = await cloud.FindClusterAsync(names.Cluster, ct)
                    ?? throw new PhaseFailedException($"Cluster {names.Cluster} disappeared while it was being created. Run phase 2 again.");
                return state.Status == "available" ? state : null;
            });
            await context.LogAsync($"Cluster available at {cluster.Address}:{cluster.Port}.");
        });

        await context.StepAsync("external-schema", async ct =>
        {
            await cloud.RunSqlAsync(names.Cluster, AwsNames.Database, AwsNames.MasterUser,
                $"create external schema if not exists {AwsNames.ExternalSchema} from data catalog database '{AwsNames.LakeDatabase}' iam_role '{roleArn}'", ct);
            await context.LogAsync($"External schema {AwsNames.ExternalSchema} over the Glue database {AwsNames.LakeDatabase}.");
        });

        await context.StepAsync("test-query", async ct =>
        {
            var result = await cloud.RunSqlAsync(names.Cluster, AwsNames.Database, AwsNames.MasterUser,
                $"select count(*) from {AwsNames.ExternalSchema}.{AwsNames.LakeTable}", ct);
            if (!long.TryParse(result.FirstValue, out var rows) || rows == 0)
                throw new PhaseFailedException(
                    $"The test query found no rows in {AwsNames.ExternalSchema}.{AwsNames.LakeTable} (answer: {result.FirstValue ?? "none"}). " +
                    "Check that the data lake's S3 data is readable from this region, then run phase 2 again.");
            await context.LogAsync($"Test query: {rows:N0} papers in {AwsNames.ExternalSchema}.{AwsNames.LakeTable}.");
        });
    }
}
