using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;
using Amazon;
using Amazon.Runtime.Signing;
using static Cord19.Core.Json.LenientJson;

namespace Cord19.Core.Aws;

/// <summary>
/// The one small client for the AWS services whose SDK packages the registry does not serve (IAM, Redshift,
/// CloudWatch, Glue, Redshift Data, Service Quotas, the Price List, Cost Explorer). It speaks the Query (form/XML) and JSON 1.1 protocols,
/// signs with AWSSDK.Core's public SigV4 signer, honours AWS_ENDPOINT_URL(_SERVICE), retries throttling and 5xx
/// with jittered backoff, times out every attempt, and turns every failure into an <see cref="AwsException"/>.
/// </summary>
public sealed class AwsApiClient(HttpMessageInvoker http, AwsConnection connection, AwsRetryPolicy? retry = null)
{
    private readonly AwsRetryPolicy _retry = retry ?? AwsRetryPolicy.Default;

    public string Region => connection.Region;

    /// <summary>A Query-protocol call; the answer's root element (…Response), namespaces left for lenient reading.</summary>
    public async Task<XElement> QueryAsync(AwsService service, string action, AwsParameters parameters, CancellationToken ct)
    {
        var form = new List<KeyValuePair<string, string>> { new("Action", action), new("Version", service.ApiVersion) };
        form.AddRange(parameters.Pairs);
        var body = Encoding.UTF8.GetBytes(string.Join('&', form.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}")));
        var text = await SendAsync(service, action, body, "application/x-www-form-urlencoded; charset=utf-8", target: null, ct);
        try
        {
            return XElement.Parse(text.Length == 0 ? $"<{action}Response/>" : text);
        }
        catch (XmlException ex)
        {
            throw new AwsException($"{service.IamPrefix}:{action}", "UnreadableResponse", $"the answer was not XML ({ex.Message})", null, ex);
        }
    }

    /// <summary>
    /// The items of a Query-protocol listing's <paramref name="list"/> (Roles, Clusters, …), from every page. IAM and
    /// Redshift give a Marker while more pages follow (IAM with IsTruncated, and it "might return fewer results, even when
    /// there are more results available": its model), so a short page is not taken for the last.
    /// <paramref name="parameters"/> makes each page's request afresh (the marker is added to it). A marker given twice
    /// would never end, so the listing ends there.
    /// </summary>
    public async Task<IReadOnlyList<XElement>> QueryListAsync(AwsService service, string action, string list, Func<AwsParameters> parameters,
        CancellationToken ct)
    {
        var items = new List<XElement>();
        string? marker = null;
        do
        {
            var answer = await QueryAsync(service, action, parameters().Add("Marker", marker), ct);
            items.AddRange(answer.Find(list)?.Elements() ?? []);
            var next = (answer.Find($"{action}Result") ?? answer).Text("Marker");
            marker = next == marker ? null : next;
        }
        while (marker is not null);
        return items;
    }

    /// <summary>A JSON 1.1 call; <paramref name="body"/> is serialized as given (property names as AWS spells them).</summary>
    public async Task<JsonElement> JsonAsync(AwsService service, string operation, object body, CancellationToken ct)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body);
        var text = await SendAsync(service, operation, bytes, "application/x-amz-json-1.1", $"{service.TargetPrefix}.{operation}", ct);
        try
        {
            using var document = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
            return document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new AwsException($"{service.IamPrefix}:{operation}", "UnreadableResponse", $"the answer was not JSON ({ex.Message})", null, ex);
        }
    }

    private async Task<string> SendAsync(AwsService service, string action, byte[] body, string contentType, string? target, CancellationToken ct)
    {
        var iamAction = $"{service.IamPrefix}:{action}";
        var endpoint = service.Endpoint(connection.Region, connection.Environment);
        for (var attempt = 1; ; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(_retry.AttemptTimeout);
            AwsException failure;
            try
            {
                // Signed afresh each attempt: a signature is only valid for a few minutes.
                using var request = await SignedRequestAsync(service, endpoint, body, contentType, target, timeout.Token);
                using var response = await http.SendAsync(request, timeout.Token);
                var text = await response.Content.ReadAsStringAsync(timeout.Token);
                if (response.IsSuccessStatusCode) return text;
                failure = AwsErrorResponse.Parse(iamAction, response.StatusCode, response.Headers, text);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                failure = new AwsException(iamAction, "Timeout", $"no answer from {endpoint.Host} within {_retry.AttemptTimeout.TotalSeconds:0.#} s", null);
            }
            catch (HttpRequestException ex)
            {
                failure = new AwsException(iamAction, "Unavailable", $"could not reach {endpoint.GetLeftPart(UriPartial.Authority)} ({ex.Message})", null, ex);
            }

            if (!AwsErrors.IsRetryable(failure.Kind) || attempt >= _retry.MaxAttempts) throw failure;
            await Task.Delay(_retry.Delay(attempt), ct);
        }
    }

    private async Task<HttpRequestMessage> SignedRequestAsync(AwsService service, Uri endpoint, byte[] body, string contentType, string? target, CancellationToken ct)
    {
        var signing = new AWSSigningRequest { HttpMethod = HttpMethod.Post, RequestUri = endpoint, Content = body };
        signing.Headers["Content-Type"] = contentType;
        if (target is not null) signing.Headers["X-Amz-Target"] = target;
        var signed = await AWSSigV4Signer.SignAsync(signing, new AWSSigV4Parameters
        {
            Credentials = connection.Credentials,
            Region = RegionEndpoint.GetBySystemName(service.SigningRegion(connection.Region)),
            Service = service.SigningName,
            SignPayload = true,
        }, ct);

        var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (target is not null) request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        foreach (var (name, value) in signed.Headers)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) || name.Equals("X-Amz-Target", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                continue;
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return request;
    }
}

/// <summary>Reads AWS's error answers in both protocols' shapes (XML ErrorResponse; JSON __type/message).</summary>
internal static class AwsErrorResponse
{
    public static AwsException Parse(string action, HttpStatusCode status, HttpResponseHeaders headers, string body)
    {
        string? code = null, message = null;
        var trimmed = body.TrimStart();
        if (trimmed.StartsWith('<'))
        {
            try
            {
                var root = XElement.Parse(trimmed);
                var error = root.Name.LocalName == "Error" ? root : root.Find("Error");
                code = error.Text("Code");
                message = error.Text("Message");
            }
            catch (XmlException) { /* fall through to the status */ }
        }
        else if (trimmed.StartsWith('{'))
        {
            try
            {
                using var json = JsonDocument.Parse(trimmed);
                code = Str(json.RootElement, "__type") ?? Str(json.RootElement, "code") ?? Str(json.RootElement, "Code");
                message = Str(json.RootElement, "message") ?? Str(json.RootElement, "Message");
            }
            catch (JsonException) { /* fall through to the status */ }
        }
        if (code is null && headers.TryGetValues("x-amzn-ErrorType", out var types)) code = types.FirstOrDefault();
        // Not AWS's shape: an HTML page from something in between, which AwsException names rather than pastes.
        if (code is null && message is null && trimmed.StartsWith('<')) message = trimmed;
        // "com.amazonaws.glue#EntityNotFoundException:http://…" → "EntityNotFoundException".
        code = code?.Split('#')[^1].Split(':')[0];
        return new AwsException(action, string.IsNullOrWhiteSpace(code) ? $"Http{(int)status}" : code, message ?? "", status);
    }
}
