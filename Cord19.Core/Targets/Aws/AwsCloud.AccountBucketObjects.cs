using System.Runtime.CompilerServices;
using Cord19.Core.Results;

namespace Cord19.Core.Targets.Aws;

public sealed partial class AwsCloud
{
    /// <summary>
    /// The deployment's bucket as the result store reads it: each S3 call names the account as the bucket's owner, and
    /// fails as the panel's other AWS calls do (an <see cref="Cord19.Core.Aws.AwsException"/> naming the action, or a
    /// <see cref="BucketNotOwnedException"/>), not as the SDK's exception.
    /// </summary>
    private sealed class AccountBucketObjects(AwsCloud cloud, AccountBucket bucket, string prefix) : IObjectStore
    {
        private readonly S3ObjectStore _objects = new(cloud.S3, bucket.Name, prefix, bucket.Account);

        public string Location => _objects.Location;

        public Task WriteAsync(string key, Func<Stream, Task> write, CancellationToken ct) =>
            cloud.OnAccountBucketAsync(bucket, "s3:PutObject", async () => { await _objects.WriteAsync(key, write, ct); return true; }, ct);

        public Task<Stream?> OpenReadAsync(string key, long offset, long? length, CancellationToken ct) =>
            cloud.OnAccountBucketAsync(bucket, "s3:GetObject", () => _objects.OpenReadAsync(key, offset, length, ct), ct);

        public async IAsyncEnumerable<string> ListAsync(string keyPrefix, [EnumeratorCancellation] CancellationToken ct)
        {
            // A page is asked for when the one before is used up: each ask is the call that may fail.
            await using var keys = _objects.ListAsync(keyPrefix, ct).GetAsyncEnumerator(ct);
            while (await cloud.OnAccountBucketAsync(bucket, "s3:ListBucket", () => keys.MoveNextAsync().AsTask(), ct))
                yield return keys.Current;
        }

        public Task DeletePrefixAsync(string keyPrefix, CancellationToken ct) =>
            cloud.OnAccountBucketAsync(bucket, "s3:DeleteObject", async () => { await _objects.DeletePrefixAsync(keyPrefix, ct); return true; }, ct);
    }
}
