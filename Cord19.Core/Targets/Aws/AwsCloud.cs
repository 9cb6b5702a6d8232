using Cord19.Core.Aws;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// <see cref="IAwsCloud"/> against a real account: EC2, S3, SSM and STS through their AWS SDK packages, IAM,
/// Redshift, Redshift Data, Glue, CloudWatch and Service Quotas through the hand-signed <see cref="AwsApiClient"/>.
/// One file per service family.
/// </summary>
public sealed partial class AwsCloud(AwsConnection connection) : IAwsCloud, IDisposable
{
    private readonly Lazy<Amazon.EC2.IAmazonEC2> _ec2 = new(connection.Ec2);
    private readonly Lazy<Amazon.S3.IAmazonS3> _s3 = new(connection.S3);
    private readonly Lazy<Amazon.SimpleSystemsManagement.IAmazonSimpleSystemsManagement> _ssm = new(connection.Ssm);
    private readonly Lazy<Amazon.SecurityToken.IAmazonSecurityTokenService> _sts = new(connection.Sts);

    public string Region => connection.Region;

    private AwsApiClient Api => connection.Api;
    private Amazon.EC2.IAmazonEC2 Ec2 => _ec2.Value;
    private Amazon.S3.IAmazonS3 S3 => _s3.Value;
    private Amazon.SimpleSystemsManagement.IAmazonSimpleSystemsManagement Ssm => _ssm.Value;

    public async Task<AwsIdentity> WhoAmIAsync(CancellationToken ct)
    {
        var me = await AwsCall.RunAsync("sts:GetCallerIdentity", () => _sts.Value.GetCallerIdentityAsync(new(), ct));
        return new AwsIdentity(me.Account, me.Arn, me.UserId);
    }

    public void Dispose()
    {
        if (_ec2.IsValueCreated) _ec2.Value.Dispose();
        if (_s3.IsValueCreated) _s3.Value.Dispose();
        if (_ssm.IsValueCreated) _ssm.Value.Dispose();
        if (_sts.IsValueCreated) _sts.Value.Dispose();
    }

    /// <summary>"Not found" as null, everything else thrown.</summary>
    private static async Task<T?> OrNullAsync<T>(Func<Task<T>> call) where T : class
    {
        try
        {
            return await call();
        }
        catch (AwsException ex) when (ex.Kind == AwsErrorKind.NotFound)
        {
            return null;
        }
    }

    private static async Task IgnoreAsync(AwsErrorKind kind, Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (AwsException ex) when (ex.Kind == kind)
        {
        }
    }
}
