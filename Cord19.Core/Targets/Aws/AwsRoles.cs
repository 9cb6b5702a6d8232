using System.Text.Json;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// The two IAM roles the phases need. They are shared by every deployment in the account (free, and slow to
/// propagate when created), so the checklist creates them on request and phase 7 leaves them.
/// </summary>
public static class AwsRoles
{
    public const string SsmManagedPolicy = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";

    /// <summary>The instance: Run Command (managed policy), its deployment's bucket, and its own secrets.</summary>
    public static RoleSpec Instance { get; } = new(
        AwsNames.InstanceRole, "ec2.amazonaws.com",
        "CORD-19 Airflow instance: SSM Run Command, the cord19-* result buckets, the /cord19/* parameters",
        "cord19-instance-access",
        Policy(
            new { Effect = "Allow", Action = new[] { "s3:ListBucket" }, Resource = new[] { "arn:aws:s3:::cord19-*" } },
            new { Effect = "Allow", Action = new[] { "s3:GetObject", "s3:PutObject", "s3:DeleteObject" }, Resource = new[] { "arn:aws:s3:::cord19-*/*" } },
            new { Effect = "Allow", Action = new[] { "ssm:GetParameter" }, Resource = new[] { "arn:aws:ssm:*:*:parameter/cord19/*" } }),
        [SsmManagedPolicy],
        WithInstanceProfile: true);

    /// <summary>Redshift Spectrum: read the Glue catalogue and AWS's public COVID-19 data lake bucket.</summary>
    public static RoleSpec Spectrum { get; } = new(
        AwsNames.SpectrumRole, "redshift.amazonaws.com",
        "CORD-19 Redshift Spectrum: the Glue catalogue and the COVID-19 data lake",
        "cord19-spectrum-access",
        Policy(
            new { Effect = "Allow", Action = new[] { "glue:GetDatabase", "glue:GetDatabases", "glue:GetTable", "glue:GetTables", "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition" }, Resource = new[] { "*" } },
            new { Effect = "Allow", Action = new[] { "s3:GetObject", "s3:ListBucket" }, Resource = new[] { "arn:aws:s3:::covid19-lake", "arn:aws:s3:::covid19-lake/*" } }),
        [],
        WithInstanceProfile: false);

    public static IReadOnlyList<RoleSpec> All { get; } = [Instance, Spectrum];

    private static string Policy(params object[] statements) =>
        JsonSerializer.Serialize(new { Version = "2012-10-17", Statement = statements });
}
