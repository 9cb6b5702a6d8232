using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cord19.Core.Airflow;

/// <summary>
/// Airflow's REST API for the operations in <see cref="IAirflowClient"/>, Airflow 2 (/api/v1, basic auth) or
/// Airflow 3 (/api/v2, a JWT from POST /auth/token), the version asked from the server once. Hand-written rather
/// than generated: ten operations, two dialects mapped onto one model, and lenient parsing matter more here than
/// covering the other hundred operations. Every request is checked against the official specs by the contract tests.
/// No retries: a trigger repeated after a timeout could start a second run; the page offers "try again".
/// </summary>
public sealed class AirflowClient(HttpClient http, AirflowOptions options) : IAirflowClient
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private AirflowApiVersion? _api = options.ApiVersion;
    private string? _token = options.AccessToken;

    public async Task<AirflowServer> GetServerAsync(CancellationToken cancellationToken = default)
    {
        var api = await ApiAsync(cancellationToken);
        return Shaped(await SendAsync(HttpMethod.Get, "version", null, "read Airflow's version", cancellationToken), json => AirflowJson.Server(json, api), "its version");
    }

    public async Task<AirflowHealth> GetHealthAsync(CancellationToken cancellationToken = default)
    {
        var path = await ApiAsync(cancellationToken) == AirflowApiVersion.V1 ? "health" : "monitor/health";
        return Shaped(await SendAsync(HttpMethod.Get, path, null, "read Airflow's health", cancellationToken), AirflowJson.Health, "its health");
    }

    public async Task<IReadOnlyList<AirflowDag>> ListDagsAsync(CancellationToken cancellationToken = default) =>
        Shaped(await SendAsync(HttpMethod.Get, "dags?limit=100", null, "list the DAGs", cancellationToken), AirflowJson.Dags, "the DAG list");

    public async Task<AirflowDag> SetPausedAsync(string dagId, bool paused, CancellationToken cancellationToken = default)
    {
        // v1's PATCH takes a whole DAG object, so the mask says which field changes; v2's body has only is_paused.
        var query = await ApiAsync(cancellationToken) == AirflowApiVersion.V1 ? "?update_mask=is_paused" : "";
        var body = new JsonObject { ["is_paused"] = paused };
        return Shaped(await SendAsync(HttpMethod.Patch, $"dags/{Segment(dagId, "DAG id")}{query}", body,
            $"{(paused ? "pause" : "unpause")} DAG '{dagId}'", cancellationToken), AirflowJson.Dag, $"DAG '{dagId}'");
    }

    public async Task<AirflowDagRun> TriggerAsync(string dagId, AirflowTrigger trigger, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["conf"] = trigger.Conf.DeepClone() };
        if (trigger.RunId is { Length: > 0 } runId) body["dag_run_id"] = runId;
        if (trigger.Note is { Length: > 0 } note) body["note"] = note;
        // Airflow 3.0 requires the key and accepts null ("no logical date": a run that is not tied to a schedule slot).
        if (await ApiAsync(cancellationToken) == AirflowApiVersion.V2) body["logical_date"] = null;
        return Shaped(await SendAsync(HttpMethod.Post, $"dags/{Segment(dagId, "DAG id")}/dagRuns", body,
            $"trigger DAG '{dagId}'", cancellationToken), AirflowJson.Run, "the new run");
    }

    public async Task<IReadOnlyList<AirflowDagRun>> ListRunsAsync(string dagId, int limit = 25, CancellationToken cancellationToken = default)
    {
        var order = await ApiAsync(cancellationToken) == AirflowApiVersion.V1 ? "-execution_date" : "-run_after";
        return Shaped(await SendAsync(HttpMethod.Get, $"dags/{Segment(dagId, "DAG id")}/dagRuns?limit={Math.Clamp(limit, 1, 100)}&order_by={order}",
            null, $"list the runs of DAG '{dagId}'", cancellationToken), AirflowJson.Runs, $"the runs of DAG '{dagId}'");
    }

    public async Task<AirflowDagRun> GetRunAsync(string dagId, string runId, CancellationToken cancellationToken = default) =>
        Shaped(await SendAsync(HttpMethod.Get, $"dags/{Segment(dagId, "DAG id")}/dagRuns/{Segment(runId, "run id")}", null,
            $"read run '{runId}' of DAG '{dagId}'", cancellationToken), AirflowJson.Run, $"run '{runId}'");

    public async Task<IReadOnlyList<AirflowTaskInstance>> ListTasksAsync(string dagId, string runId, CancellationToken cancellationToken = default) =>
        Shaped(await SendAsync(HttpMethod.Get, $"dags/{Segment(dagId, "DAG id")}/dagRuns/{Segment(runId, "run id")}/taskInstances?limit=100",
            null, $"list the tasks of run '{runId}'", cancellationToken), AirflowJson.Tasks, $"the tasks of run '{runId}'");

    public async Task<AirflowLogPage> GetLogAsync(string dagId, string runId, string taskId, int tryNumber, string? continuationToken = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tryNumber);
        var path = $"dags/{Segment(dagId, "DAG id")}/dagRuns/{Segment(runId, "run id")}/taskInstances/{Segment(taskId, "task id")}/logs/{tryNumber}";
        if (continuationToken is { Length: > 0 }) path += "?token=" + Uri.EscapeDataString(continuationToken);
        return Shaped(await SendAsync(HttpMethod.Get, path, null, $"read the log of task '{taskId}' (try {tryNumber})", cancellationToken), AirflowJson.Log, $"the log of task '{taskId}'");
    }

    public async Task<int> ClearFailedTasksAsync(string dagId, string runId, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject
        {
            ["dag_run_id"] = runId,
            ["dry_run"] = false,
            ["only_failed"] = true,
            ["reset_dag_runs"] = true,
        };
        var answer = await SendAsync(HttpMethod.Post, $"dags/{Segment(dagId, "DAG id")}/clearTaskInstances", body,
            $"clear the failed tasks of run '{runId}'", cancellationToken);
        return Shaped(answer, json => AirflowJson.Count(json, "task_instances"), "the cleared tasks");
    }

    private static string Segment(string value, string what)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new AirflowException(AirflowProblem.Invalid, $"The {what} is empty.");
        return Uri.EscapeDataString(value);
    }

    /// <summary>Asks the server once which API it speaks: /api/v2/version exists only on Airflow 3.</summary>
    private async Task<AirflowApiVersion> ApiAsync(CancellationToken cancellationToken)
    {
        if (_api is { } known) return known;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_api is { } raced) return raced;
            foreach (var candidate in new[] { AirflowApiVersion.V2, AirflowApiVersion.V1 })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, Address(candidate, "version"));
                using var response = await SendRawAsync(request, "find Airflow's API version", cancellationToken);
                if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed) continue;
                if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden || (response.IsSuccessStatusCode && IsJson(response)))
                    return (_api = candidate).Value;
                if (IsProxyPage(response)) throw NotAirflow(response, "find Airflow's API version");
                break;
            }
            throw new AirflowException(AirflowProblem.NotAirflow,
                $"The server at {options.BaseUrl} does not serve Airflow's REST API (neither /api/v2/version nor /api/v1/version answered). {options.AddressFix}");
        }
        finally
        {
            _gate.Release();
        }
    }

    private Uri Address(AirflowApiVersion api, string path) =>
        new(options.BaseUrl, (api == AirflowApiVersion.V1 ? "api/v1/" : "api/v2/") + path);

    private async Task<JsonElement> SendAsync(HttpMethod method, string path, JsonNode? body, string operation, CancellationToken cancellationToken)
    {
        var api = await ApiAsync(cancellationToken);
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, Address(api, path));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (body is not null) request.Content = JsonContent.Create(body);
            await AuthenticateAsync(request, api, cancellationToken);
            using var response = await SendRawAsync(request, operation, cancellationToken);
            // An expired JWT: sign in again once. A refused password is not retried (no lock-outs, no storms).
            if (response.StatusCode == HttpStatusCode.Unauthorized && api == AirflowApiVersion.V2 && options.AccessToken is null
                && _token is not null && attempt == 0)
            {
                _token = null;
                continue;
            }
            return await ReadAsync(response, operation, cancellationToken);
        }
    }

    private async Task AuthenticateAsync(HttpRequestMessage request, AirflowApiVersion api, CancellationToken cancellationToken)
    {
        if (api == AirflowApiVersion.V1)
        {
            if (options.Username is not null)
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                    Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.Username}:{options.Password}")));
            return;
        }
        // No user: an Airflow 3 whose auth manager lets everyone in (simple auth manager, all admins) needs no token.
        if (_token is null && options.Username is null) return;
        _token ??= await SignInAsync(cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
    }

    /// <summary>Airflow 3's auth manager trades a user and password for a JWT at POST /auth/token.</summary>
    private async Task<string> SignInAsync(CancellationToken cancellationToken)
    {
        if (options.Password is null)
            throw new AirflowException(AirflowProblem.Unauthorized,
                $"{AirflowOptions.UserVariable} is set without {AirflowOptions.PasswordVariable}: Airflow 3 needs both to sign in (or {AirflowOptions.TokenVariable}).");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(options.BaseUrl, "auth/token"))
        {
            Content = JsonContent.Create(new JsonObject { ["username"] = options.Username, ["password"] = options.Password }),
        };
        using var response = await SendRawAsync(request, "sign in to Airflow", cancellationToken);
        var answer = await ReadAsync(response, "sign in to Airflow", cancellationToken);
        // A string or nothing: LenientJson's Str would make a token of a number.
        return answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("access_token", out var token)
            && token.ValueKind == JsonValueKind.String && token.GetString() is { Length: > 0 } jwt
            ? jwt
            : throw new AirflowException(AirflowProblem.NotAirflow, "Airflow's /auth/token answered without an access_token. Check that it is Airflow 3's API server.");
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, string operation, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AirflowException(AirflowProblem.TimedOut,
                $"Could not {operation}: Airflow at {options.BaseUrl} did not answer within {options.Timeout.TotalSeconds:0} s. It may be starting or overloaded; try again in a minute.", inner: ex);
        }
        catch (HttpRequestException ex) when (options.CertificateSha256 is not null && ex.InnerException is System.Security.Authentication.AuthenticationException)
        {
            throw new AirflowException(AirflowProblem.UntrustedCertificate,
                $"Could not {operation}: Airflow at {options.BaseUrl} presented a certificate that is not this deployment's (the panel pins the one phase 1 made), " +
                "so the connection was closed before any password was sent. If the instance was replaced by hand, run phase 7 and then phase 1; " +
                "otherwise something between this machine and the instance is intercepting the connection.", inner: ex);
        }
        catch (HttpRequestException ex)
        {
            throw new AirflowException(AirflowProblem.Unreachable,
                $"Could not {operation}: Airflow at {options.BaseUrl} is unreachable ({ex.Message}). {options.AddressFix}", inner: ex);
        }
    }

    private async Task<JsonElement> ReadAsync(HttpResponseMessage response, string operation, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode)
        {
            if (!IsJson(response)) throw NotAirflow(response, operation);
            try
            {
                using var doc = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
                return doc.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                throw new AirflowException(AirflowProblem.NotAirflow, $"Could not {operation}: Airflow's answer is not valid JSON ({ex.Message}).", status, ex);
            }
        }
        if (!IsJson(response) && status is not (401 or 403)) throw NotAirflow(response, operation);
        // Airflow's error bodies can name its address or echo what was sent: only a rejected request's field problems
        // (400/422: which field, what is wrong) are passed on, without addresses and cut short; the rest is summarised.
        var detail = status is 400 or 422 ? AirflowJson.ErrorDetail(text) : null;
        var said = detail is { Length: > 0 } ? $": {Summarise(detail)}" : "";
        throw status switch
        {
            401 => new AirflowException(AirflowProblem.Unauthorized,
                $"Could not {operation}: Airflow refused the credentials (401){said}. {options.CredentialsFix}", status),
            403 => new AirflowException(AirflowProblem.Forbidden,
                $"Could not {operation}: the Airflow user may not do this (403){said}. Give {options.Username ?? "the user"} the Op or Admin role in Airflow.", status),
            404 => new AirflowException(AirflowProblem.NotFound,
                $"Could not {operation}: Airflow does not know it (404){said}. Check that the DAG files are in Airflow's dags folder and parsed without import errors.", status),
            409 => new AirflowException(AirflowProblem.Conflict,
                $"Could not {operation}: it already exists (409){said}. Use another run id, or leave it empty for Airflow to choose one.", status),
            400 or 422 => new AirflowException(AirflowProblem.Invalid, $"Could not {operation}: Airflow rejected the request ({status}){said}.", status),
            _ => new AirflowException(AirflowProblem.ServerError,
                $"Could not {operation}: Airflow failed ({status}){said}. See the Airflow webserver's log.", status),
        };
    }

    private static string Summarise(string detail)
    {
        var scrubbed = System.Text.RegularExpressions.Regex.Replace(detail, @"[a-z][a-z0-9+.-]*://\S+", "(an address)", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        return scrubbed.Length <= 300 ? scrubbed : scrubbed[..300] + "…";
    }

    private static bool IsJson(HttpResponseMessage response) =>
        response.Content.Headers.ContentType?.MediaType is { } type && (type.EndsWith("/json", StringComparison.OrdinalIgnoreCase) || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Reads an answer that is JSON but perhaps not Airflow's shape (a list for an object, numbers for DAGs): that is
    /// named as "not Airflow's API", never let through as an unexpected error (a 500).
    /// </summary>
    private T Shaped<T>(JsonElement json, Func<JsonElement, T> read, string what)
    {
        try
        {
            return read(json);
        }
        catch (Exception ex) when (ex is InvalidOperationException or KeyNotFoundException or FormatException or IndexOutOfRangeException or OverflowException or JsonException)
        {
            throw new AirflowException(AirflowProblem.NotAirflow,
                $"Airflow at {options.BaseUrl} answered {what} with JSON of another shape than Airflow 2's or 3's REST API. " +
                $"It must run Airflow 2.x or 3.x. {options.AddressFix}", inner: ex);
        }
    }

    /// <summary>A proxy's own answer: nginx in front of the AWS instance's Airflow gives one while Airflow starts, restarts or is busy.</summary>
    private static bool IsProxyPage(HttpResponseMessage response) => (int)response.StatusCode is 502 or 503 or 504;

    private AirflowException NotAirflow(HttpResponseMessage response, string operation) => IsProxyPage(response)
        ? new(AirflowProblem.ServerError,
            $"Could not {operation}: the server at {options.BaseUrl} answered {(int)response.StatusCode} {response.ReasonPhrase}, a proxy's word for the server behind it not answering: " +
            $"Airflow may be starting, restarting or busy. Try again in a minute; if it lasts: {options.AddressFix}", (int)response.StatusCode)
        : new(AirflowProblem.NotAirflow,
            $"Could not {operation}: the server at {options.BaseUrl} answered {(int)response.StatusCode} with {response.Content.Headers.ContentType?.MediaType ?? "no content type"}, " +
            $"not Airflow's JSON API. {options.AddressFix}", (int)response.StatusCode);
}
