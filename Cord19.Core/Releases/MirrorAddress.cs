using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Cord19.Core.Releases;

/// <summary>
/// A metadata.csv anywhere else, plain or gzip: an <c>https://</c> address (a mirror, in case AI2's bucket moves) or an
/// <c>s3://bucket/key</c> of a public object. Read with plain HTTP, anonymously: an S3 object through the bucket's
/// virtual-hosted address (S3 routes it to the bucket's region), or through <c>AWS_ENDPOINT_URL_S3</c> when set.
/// </summary>
public sealed class MirrorAddress(HttpClient http, string? s3Endpoint)
{
    public const string HttpClientName = "cord19-mirror";

    public static bool IsAddress(string text) =>
        text.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ||
        text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ||
        text.StartsWith("s3://", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// What a release's file is named by: its date, or for a mirror a short hash of its address, stable for one
    /// address so a second start resumes it.
    /// </summary>
    public static string FileStem(string release) => IsAddress(release)
        ? "mirror-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(release)))[..10]
        : release;

    /// <summary>The object's size and ETag, before any byte is downloaded.</summary>
    public async Task<Cord19Releases.Release> DescribeAsync(string address, CancellationToken ct)
    {
        var url = Resolve(address);
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Head, url), address, ct);
        var size = response.Content.Headers.ContentLength
            ?? throw new InvalidDataException($"{address} does not say how large it is (no Content-Length): download it by hand and point Settings at the file.");
        var gzip = url.AbsolutePath.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ||
                   response.Content.Headers.ContentType?.MediaType is "application/gzip" or "application/x-gzip";
        return new Cord19Releases.Release(address, address, size, response.Headers.ETag?.Tag.Trim('"') ?? "", url, gzip,
            S3ETag: address.StartsWith("s3://", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The bytes from <paramref name="offset"/> on: a ranged read, or the whole body skipped up to there when the server ignores ranges.</summary>
    public async Task<Stream> OpenAsync(Cord19Releases.Release release, long offset, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, release.Address);
        if (offset > 0) request.Headers.Range = new RangeHeaderValue(offset, null);
        var response = await SendAsync(request, release.Key, ct, HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStreamAsync(ct);
        if (offset > 0 && response.StatusCode != HttpStatusCode.PartialContent)
            await SkipAsync(body, offset, ct);
        return body;
    }

    private Uri Resolve(string address)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
            throw new InvalidDataException($"'{address}' is not an address: use https://host/path/metadata.csv(.gz) or s3://bucket/key.");
        if (uri.Scheme != "s3") return uri;
        var key = uri.AbsolutePath.TrimStart('/');
        if (key.Length == 0) throw new InvalidDataException($"'{address}' names a bucket but no object: use s3://{uri.Host}/path/metadata.csv.");
        return string.IsNullOrEmpty(s3Endpoint)
            ? new Uri($"https://{uri.Host}.s3.amazonaws.com/{key}")
            : new Uri($"{s3Endpoint.TrimEnd('/')}/{uri.Host}/{key}");
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string address, CancellationToken ct, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, completion, ct);
        }
        catch (HttpRequestException ex)
        {
            throw new InvalidDataException($"Could not reach {address}: the network did not answer ({ex.HttpRequestError}). Check the address and the connection; a download resumes where it stopped.");
        }
        if (response.IsSuccessStatusCode) return response;
        response.Dispose();
        throw new InvalidDataException(response.StatusCode switch
        {
            HttpStatusCode.NotFound => $"{address} is not there (404): check the address.",
            HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized => $"{address} refused anonymous reading ({(int)response.StatusCode}): use a public address, or download the file by hand and point Settings at it.",
            _ => $"{address} answered {(int)response.StatusCode} {response.ReasonPhrase}: try again later, or download the file by hand and point Settings at it.",
        });
    }

    private static async Task SkipAsync(Stream body, long count, CancellationToken ct)
    {
        var buffer = new byte[1 << 16];
        while (count > 0)
        {
            var read = await body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), ct);
            if (read == 0) throw new InvalidDataException("The mirror's answer ended before the point the download had reached. Run the download again.");
            count -= read;
        }
    }
}
