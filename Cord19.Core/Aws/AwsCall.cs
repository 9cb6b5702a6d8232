using Amazon.Runtime;

namespace Cord19.Core.Aws;

/// <summary>
/// Runs one AWS SDK call and turns its failures into <see cref="AwsException"/>s named after the IAM action, so
/// SDK and hand-signed calls fail alike. The SDK has already retried throttling and 5xx (standard retry mode).
/// </summary>
public static class AwsCall
{
    public static async Task<T> RunAsync<T>(string iamAction, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (AmazonServiceException ex)
        {
            throw new AwsException(iamAction, ex.ErrorCode ?? $"Http{(int)ex.StatusCode}", ex.Message, ex.StatusCode, ex);
        }
        catch (AmazonClientException ex) when (ex.InnerException is HttpRequestException or TimeoutException)
        {
            throw new AwsException(iamAction, "Unavailable", ex.Message, null, ex);
        }
        catch (HttpRequestException ex)
        {
            // The SDK lets connection failures through as they are (after its own retries). The message says "Could not
            // reach AWS for …" already: the cause ("Connection refused (127.0.0.1:4566)") follows it.
            throw new AwsException(iamAction, "Unavailable", ex.Message, null, ex);
        }
        catch (TaskCanceledException ex) when (ex.InnerException is TimeoutException)
        {
            throw new AwsException(iamAction, "Timeout", "no answer within the SDK's timeout", null, ex);
        }
    }

    public static async Task RunAsync(string iamAction, Func<Task> call) =>
        await RunAsync(iamAction, async () => { await call(); return true; });

    /// <summary>
    /// Everything an SDK paginator lists (it follows NextToken page by page), each fetch failing as <see cref="RunAsync{T}"/>
    /// does. EC2 asks for listings to be paged ("Pagination in the Amazon EC2 API": unpaged, a large account's may be
    /// throttled or time out), and S3 and SSM page theirs.
    /// </summary>
    public static async Task<List<T>> ListAsync<T>(string iamAction, IAsyncEnumerable<T> paginated, CancellationToken ct)
    {
        var all = new List<T>();
        await using var item = paginated.GetAsyncEnumerator(ct);
        while (await RunAsync(iamAction, () => item.MoveNextAsync().AsTask()))
            all.Add(item.Current);
        return all;
    }
}
