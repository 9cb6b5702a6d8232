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

public static class AwsCloudFactoryExtensions
{
    /// <summary>Opens the account in <paramref name="region"/> for one piece of work and closes its clients after.</summary>
    public static async Task<T> WithCloudAsync<T>(this IAwsCloudFactory clouds, string region, Func<IAwsCloud, Task<T>> work)
    {
        IAwsCloud? cloud = null;
        try
        {
            cloud = clouds.Open(region);
            return await work(cloud);
        }
        finally
        {
            (cloud as IDisposable)?.Dispose();
        }
    }

    public static Task WithCloudAsync(this IAwsCloudFactory clouds, string region, Func<IAwsCloud, Task> work) =>
        clouds.WithCloudAsync(region, async cloud => { await work(cloud); return true; });
}
