using System.Collections.Concurrent;
using Cord19.Core.Aws;

namespace Cord19.Core.Targets.Aws;

/// <summary>The AWS account in a region: the one way the app reaches AWS.</summary>
public interface IAwsCloudFactory
{
    IAwsCloud Open(string region);
}

/// <summary>
/// One <see cref="AwsCloud"/> per region for the life of the app, so its SDK clients and the hand-signed client's
/// connections are reused by every phase, poll and page instead of being built for each piece of work.
/// </summary>
public sealed class AwsCloudFactory(IHttpClientFactory http) : IAwsCloudFactory, IDisposable
{
    public const string HttpClientName = "aws";

    private readonly ConcurrentDictionary<string, Lazy<AwsCloud>> _regions = new(StringComparer.Ordinal);

    public IAwsCloud Open(string region)
    {
        var cloud = _regions.GetOrAdd(region, r => new Lazy<AwsCloud>(() => new AwsCloud(new AwsConnection(r, http.CreateClient(HttpClientName)))));
        try
        {
            return cloud.Value;
        }
        catch
        {
            // A bad region name is refused every time, not cached.
            _regions.TryRemove(region, out _);
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var cloud in _regions.Values.Where(c => c.IsValueCreated)) cloud.Value.Dispose();
        _regions.Clear();
    }
}

public static class AwsCloudFactoryExtensions
{
    /// <summary>One piece of work with the account in <paramref name="region"/>.</summary>
    public static Task<T> WithCloudAsync<T>(this IAwsCloudFactory clouds, string region, Func<IAwsCloud, Task<T>> work) =>
        work(clouds.Open(region));

    public static Task WithCloudAsync(this IAwsCloudFactory clouds, string region, Func<IAwsCloud, Task> work) =>
        work(clouds.Open(region));
}
