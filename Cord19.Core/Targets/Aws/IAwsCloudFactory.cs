using Cord19.Core.Aws;

namespace Cord19.Core.Targets.Aws;

/// <summary>Opens the account in a region; the region comes from the run's settings, so one is opened per run.</summary>
public interface IAwsCloudFactory
{
    IAwsCloud Open(string region);
}

public sealed class AwsCloudFactory : IAwsCloudFactory
{
    public IAwsCloud Open(string region) => new AwsCloud(new AwsConnection(region));
}
