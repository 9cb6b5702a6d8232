using System.Runtime.CompilerServices;
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
    /// Every page an SDK paginator fetches (it follows NextToken), each fetch failing as <see cref="RunAsync{T}"/> does.
    /// EC2 asks for listings to be paged ("Pagination in the Amazon EC2 API": unpaged, a large account's may be throttled
    /// or time out), and S3 and SSM page theirs.
    /// </summary>
    public static async IAsyncEnumerable<T> PagesAsync<T>(string iamAction, IAsyncEnumerable<T> pages, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var page = pages.GetAsyncEnumerator(ct);
        while (await RunAsync(iamAction, () => page.MoveNextAsync().AsTask()))
            yield return page.Current;
    }
}
