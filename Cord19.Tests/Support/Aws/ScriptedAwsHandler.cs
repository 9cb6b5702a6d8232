using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace Cord19.Tests.Support.Aws;

/// <summary>One request the hand-signed client sent, as it went on the wire.</summary>
public sealed record AwsWireRequest(Uri Uri, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public IReadOnlyList<KeyValuePair<string, string>> Form => Body.Split('&', StringSplitOptions.RemoveEmptyEntries)
        .Select(p => p.Split('=', 2))
        .Select(p => new KeyValuePair<string, string>(Uri.UnescapeDataString(p[0]), Uri.UnescapeDataString(p.Length > 1 ? p[1] : "")))
        .ToList();

    public string? Target => Headers.GetValueOrDefault("X-Amz-Target");

    /// <summary>The operation: the Query form's Action, or the JSON target's suffix.</summary>
    public string Operation => Target is { } target ? target[(target.IndexOf('.') + 1)..] : Form.First(p => p.Key == "Action").Value;

    /// <summary>botocore's folder name for the service, from the signature's scope (the host may be an override).</summary>
    public string Service => Headers["Authorization"].Split("Credential=")[1].Split('/')[3] switch
    {
        "monitoring" => "cloudwatch",
        var signingName => signingName,
    };
}

/// <summary>
/// The transport under the hand-signed client (a seam it owns: <see cref="Cord19.Core.Aws.AwsConnection"/> takes a
/// handler): records each request and answers as the test scripts, by default from the botocore model's output shape.
/// </summary>
public sealed class ScriptedAwsHandler(Func<AwsWireRequest, HttpResponseMessage?>? script = null) : HttpMessageHandler
{
    private readonly Dictionary<string, BotocoreModel> _models = [];

    /// <summary>AWS's documentation's example keys: requests are signed, and nothing here checks the signature's secret.</summary>
    public static readonly Amazon.Runtime.BasicAWSCredentials TestKeys = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");

    /// <summary>The account in <paramref name="region"/>, its hand-signed calls answered by this handler.</summary>
    public Cord19.Core.Targets.Aws.AwsCloud Cloud(string region = "us-east-2", Func<string, string?>? environment = null) =>
        new(new Cord19.Core.Aws.AwsConnection(region, new HttpClient(this), environment ?? (_ => null), TestKeys));

    public List<AwsWireRequest> Requests { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
            .ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var wire = new AwsWireRequest(request.RequestUri!, headers, body);
        lock (Requests) Requests.Add(wire);
        return script?.Invoke(wire) ?? FromModel(wire);
    }

    public BotocoreModel Model(string service)
    {
        lock (_models)
        {
            if (!_models.TryGetValue(service, out var model)) _models[service] = model = BotocoreModel.Load(service);
            return model;
        }
    }

    /// <summary>The model's full answer for the request's operation.</summary>
    public HttpResponseMessage FromModel(AwsWireRequest request) => request.Target is null
        ? Xml(Model(request.Service).QueryAnswer(request.Operation))
        : Json(Model(request.Service).JsonAnswer(request.Operation));

    public static HttpResponseMessage Xml(XElement answer, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(answer.ToString(), Encoding.UTF8, "text/xml") };

    public static HttpResponseMessage Json(JsonNode answer, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(answer.ToJsonString(), Encoding.UTF8, "application/x-amz-json-1.1") };

    /// <summary>An error as the Query protocol writes it (namespaced ErrorResponse).</summary>
    public static HttpResponseMessage QueryError(string code, string message, HttpStatusCode status = HttpStatusCode.BadRequest) =>
        Xml(XElement.Parse($"""
            <ErrorResponse xmlns="http://iam.amazonaws.com/doc/2010-05-08/">
              <Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>
              <RequestId>4ee0a7c0-0000-4000-8000-000000000000</RequestId>
            </ErrorResponse>
            """), status);

    /// <summary>An error as the JSON protocol writes it (__type with the service's namespace).</summary>
    public static HttpResponseMessage JsonError(string code, string message, HttpStatusCode status = HttpStatusCode.BadRequest) =>
        Json(new JsonObject { ["__type"] = $"com.amazonaws.glue#{code}:http://internal.amazon.com/coral/com.amazonaws.glue/", ["message"] = message }, status);
}
