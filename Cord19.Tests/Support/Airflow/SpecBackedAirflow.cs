using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Cord19.Core.Airflow;

namespace Cord19.Tests.Support.Airflow;

/// <summary>
/// An HTTP handler that answers as the spec says Airflow answers, and records every request the client sends
/// with the ways it breaks the spec. Not a fake Airflow: it has no state and no behaviour beyond the spec's shapes;
/// Prism (see <see cref="Prism"/>) and the fault server cover behaviour.
/// </summary>
public sealed class SpecBackedAirflow(AirflowSpec spec, SchemaSample.Shape shape) : HttpMessageHandler
{
    public sealed record Sent(HttpMethod Method, Uri Uri, string? Body, string? Authorization, string? OperationId, IReadOnlyList<string> Problems);

    private readonly List<Sent> _sent = [];

    public IReadOnlyList<Sent> Requests { get { lock (_sent) return [.. _sent]; } }

    public static AirflowClient Client(AirflowSpec spec, SchemaSample.Shape shape, out SpecBackedAirflow handler)
    {
        handler = new SpecBackedAirflow(spec, shape);
        return new AirflowClient(new HttpClient(handler), new AirflowOptions
        {
            BaseUrl = new Uri("http://airflow.test/"),
            Username = "panel",
            Password = "secret",
        });
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var authorization = request.Headers.Authorization?.ToString();
        // Airflow 3's sign-in is served by its auth manager, outside the /api/v2 spec.
        if (request.RequestUri!.AbsolutePath == "/auth/token" && spec.Version == AirflowApiVersion.V2)
        {
            Record(new Sent(request.Method, request.RequestUri, body, authorization, "auth_token", []));
            return Json(HttpStatusCode.Created, new JsonObject { ["access_token"] = "header.payload.signature" });
        }
        var match = spec.Find(request.Method, request.RequestUri.AbsolutePath);
        Record(new Sent(request.Method, request.RequestUri, body, authorization, match?.Operation.OperationId, spec.Check(request, body)));
        if (match is null)
            return Json(HttpStatusCode.NotFound, new JsonObject { ["detail"] = "Not Found" });
        var answer = SchemaSample.Of(AirflowSpec.SuccessSchema(match.Operation), shape) ?? new JsonObject();
        return Json(HttpStatusCode.OK, answer);
    }

    private void Record(Sent sent)
    {
        lock (_sent) _sent.Add(sent);
    }

    private static HttpResponseMessage Json(HttpStatusCode status, JsonNode body) =>
        new(status) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
}
