using Cord19.Core.Settings;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// Whether phase 2's cluster could read the data lake's Glue table through the Spectrum role: the checklist's line, and
/// what phase 2 refuses on before it creates anything (a cluster that cannot read the lake bills its node-hours for
/// nothing). The table must exist, have a location, lie in AWS's COVID-19 data lake bucket (the only one the Spectrum
/// role and the role boundary let it read), in the deployment's region (Spectrum reads only its own region's buckets),
/// and hold files.
/// </summary>
public static class DataLakeCheck
{
    public const string Name = "COVID-19 data lake";

    /// <summary>AWS's public COVID-19 data lake: the one bucket outside the project's that the Spectrum role reads.</summary>
    public const string LakeBucket = "covid19-lake";

    /// <summary>The lake bucket's region, where Spectrum, which reads only its own region's buckets, can read it.</summary>
    public const string LakeRegion = "us-east-2";

    /// <summary>AWS's template that makes the lake's Glue database and tables in an account (the tables only point at the bucket).</summary>
    public const string TemplateUrl = "https://covid19-lake.s3.us-east-2.amazonaws.com/cfn/CovidLakeStack.template.json";

    private static string CreateStack(string region) =>
        $"`aws cloudformation create-stack --region {region} --stack-name covid-lake-stack --template-url {TemplateUrl}`";

    /// <summary>The way round any trouble with the lake, as the end of a fix ("…, or " before it).</summary>
    internal const string PanelFile = "choose 'the panel's metadata file' as the AWS metadata source in Settings, which needs no cluster";

    /// <summary>
    /// Why a line about the cluster or the lake does not apply, when the metadata comes from elsewhere: the node type's,
    /// the lake's and the Spectrum role's lines say the same. Null when the lake is the source.
    /// </summary>
    public static string? NotNeeded(PipelineSettings settings) =>
        settings.AwsMetadataSource == PipelineSettings.DataLakeMetadataSource ? null
        : "Not needed: the metadata comes from " +
          (settings.AwsMetadataSource == PipelineSettings.ReleaseMetadataSource ? $"CORD-19 release {settings.AwsRelease}" : "the panel's file") +
          ", so phase 2 creates no cluster.";

    public static async Task<CheckItem> JudgeAsync(IAwsCloud cloud, PipelineSettings settings, CancellationToken ct)
    {
        if (NotNeeded(settings) is { } notNeeded)
            return new(Name, CheckOutcome.Passed, notNeeded);
        var qualified = $"{AwsNames.LakeDatabase}.{AwsNames.LakeTable}";
        if (await cloud.FindLakeTableAsync(AwsNames.LakeDatabase, AwsNames.LakeTable, ct) is not { } table)
            return new(Name, CheckOutcome.Failed, $"Glue has no table {qualified} in {cloud.Region}: AWS's COVID-19 data lake is not set up there (or is gone).",
                cloud.Region == LakeRegion
                    // Glue tables cost nothing; the operator policy does not let the panel make them.
                    ? $"Have an administrator make the lake's Glue tables once with AWS's CloudFormation template: {CreateStack(LakeRegion)}; or {PanelFile}."
                    : $"The lake's bucket is in {LakeRegion}, and Spectrum reads only its own region: set the AWS region to {LakeRegion} in Settings and have an administrator " +
                      $"make the lake's Glue tables there once with AWS's CloudFormation template ({CreateStack(LakeRegion)}); or {PanelFile}.");
        if (table.Bucket is not { } bucket)
            return new(Name, CheckOutcome.Failed, $"The Glue table {qualified} has no S3 location ({table.Location ?? "none"}), so it holds no data.",
                $"Have an administrator delete the database {AwsNames.LakeDatabase} (or the stack that made it) and make the lake's Glue tables again with " +
                $"AWS's CloudFormation template ({CreateStack(cloud.Region)}), or {PanelFile}.");
        if (bucket != LakeBucket)
            return new(Name, CheckOutcome.Failed,
                $"The Glue table {qualified} points at {table.Location}, not at AWS's COVID-19 data lake (s3://{LakeBucket}): the Spectrum role " +
                "reads only that bucket (the role boundary allows no other), so Spectrum's first query would be refused.",
                $"Point the table back at s3://{LakeBucket}, as AWS's CloudFormation template makes it ({TemplateUrl}), or {PanelFile}.");
        var lakeRegion = await cloud.BucketRegionAsync(bucket, ct);
        if (lakeRegion is not null && lakeRegion != cloud.Region)
            return new(Name, CheckOutcome.Failed,
                $"The data lake's bucket s3://{bucket} is in {lakeRegion}, but this deployment is in {cloud.Region}; Redshift Spectrum reads only buckets in the cluster's region.",
                $"Set the AWS region to {lakeRegion} in Settings (run phase 7 first, since a deployment keeps its region), or {PanelFile}.");
        var hasFiles = await cloud.HasObjectsAsync(bucket, table.Prefix, ct);
        if (hasFiles is false)
            return new(Name, CheckOutcome.Failed, $"The data lake's table points at {table.Location}, which holds no files: the lake is empty.",
                $"The lake's files are AWS's, so nothing in your account brings them back: {PanelFile}.");
        // What could not be asked is said, not passed over: Spectrum's first query, on a billed cluster, would be the first to tell.
        return new(Name, CheckOutcome.Passed, $"Glue table {qualified}: {table.Columns} columns at {table.Location}" +
            (lakeRegion is null ? " (S3 would not say the bucket's region; Spectrum's first query will tell)." : $", in {lakeRegion} like this deployment.") +
            (hasFiles is null ? $" S3 would not let you list s3://{bucket}, so whether it holds files is not known: the operator policy's ListTheDataLake statement allows it." : ""));
    }
}
