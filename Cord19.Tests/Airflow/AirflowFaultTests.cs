using System.Text.Json.Nodes;
using Cord19.Core.Airflow;
using Cord19.Tests.Support;
using Cord19.Tests.Support.Airflow;
using Microsoft.AspNetCore.Http;
using HttpResults = Microsoft.AspNetCore.Http.Results;

namespace Cord19.Tests.Airflow;

/// <summary>What the client says when Airflow is down, refuses, is slow or is not Airflow at all.</summary>
public sealed class AirflowFaultTests
{
    private static AirflowClient Client(Uri baseUrl, AirflowApiVersion? version = null, TimeSpan? timeout = null, string? user = "panel") => new(
        new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }),
        new AirflowOptions { BaseUrl = baseUrl, Username = user, Password = user is null ? null : "secret", ApiVersion = version, Timeout = timeout ?? TimeSpan.FromSeconds(5) });

    private static RequestDelegate Problem(int status, object body) => context => HttpResults.Json(body, statusCode: status).ExecuteAsync(context);

    [Fact]
    public async Task Airflow_down_names_the_address_and_what_to_start()
    {
        var closed = LoopbackPort.Free();
        var error = await Assert.ThrowsAsync<AirflowException>(() => Client(new Uri($"http://127.0.0.1:{closed}/")).ListDagsAsync());
        Assert.Equal(AirflowProblem.Unreachable, error.Problem);
        Assert.Contains($"127.0.0.1:{closed}", error.Message);
        Assert.Contains(AirflowOptions.UrlVariable, error.Message);
        Assert.Contains("docker compose up airflow-api-server", error.Message);
    }

    [Fact]
    public async Task The_AWS_instances_Airflow_down_points_at_the_instance_not_at_this_machines_settings()
    {
        var closed = LoopbackPort.Free();
        var options = Cord19.Core.Targets.Aws.InstanceAirflow.Options(new Uri($"https://127.0.0.1:{closed}/"), "3.2.2", "secret", "ab12");
        var client = new AirflowClient(new HttpClient(), options);

        var error = await Assert.ThrowsAsync<AirflowException>(() => client.ListDagsAsync());

        Assert.Equal(AirflowProblem.Unreachable, error.Problem);
        Assert.Contains("see the instance's state and Airflow's health on the AWS page", error.Message);
        Assert.DoesNotContain("docker compose", error.Message);
        Assert.DoesNotContain(AirflowOptions.UrlVariable, error.Message);
    }

    [Theory]
    [InlineData(401, AirflowProblem.Unauthorized, "CORD19_AIRFLOW_PASSWORD")]
    [InlineData(403, AirflowProblem.Forbidden, "Op or Admin role")]
    [InlineData(404, AirflowProblem.NotFound, "dags folder")]
    [InlineData(500, AirflowProblem.ServerError, "webserver's log")]
    public async Task Airflow_2_refusals_say_the_status_and_the_fix_without_echoing_airflow(int status, AirflowProblem problem, string fix)
    {
        await using var airflow = await FaultServer.AirflowAsync("v1", Problem(status,
            new { type = "about:blank", title = "Refused", status, detail = $"Said by Airflow ({status})" }));
        var client = Client(airflow.BaseUrl);

        var error = await Assert.ThrowsAsync<AirflowException>(() => client.TriggerAsync("cord19_processing", new AirflowTrigger([])));

        Assert.Equal(problem, error.Problem);
        Assert.Equal(status, error.Status);
        // Airflow's own words are summarised, never echoed (its error bodies can name its address or what was sent).
        Assert.DoesNotContain("Said by Airflow", error.Message);
        Assert.Contains($"({status})", error.Message);
        Assert.Contains("trigger DAG 'cord19_processing'", error.Message);
        Assert.Contains(fix, error.Message);
        // The two version probes and one attempt: no retries.
        Assert.Equal(["GET /api/v2/version", "GET /api/v1/version", "POST /api/v1/dags/cord19_processing/dagRuns"], airflow.Paths);
    }

    [Fact]
    public async Task A_duplicate_run_id_is_a_conflict_that_says_to_choose_another()
    {
        await using var airflow = await FaultServer.AirflowAsync("v2", context => context.Request.Path == "/auth/token"
            ? HttpResults.Json(new { access_token = "jwt" }, statusCode: 201).ExecuteAsync(context)
            : Problem(409, new { detail = "DAG Run with run id 'again' already exists" })(context));

        var error = await Assert.ThrowsAsync<AirflowException>(() =>
            Client(airflow.BaseUrl).TriggerAsync("cord19_processing", new AirflowTrigger([], "again")));

        Assert.Equal(AirflowProblem.Conflict, error.Problem);
        Assert.Contains("it already exists (409)", error.Message);
        Assert.DoesNotContain("DAG Run with run id", error.Message);
        Assert.Contains("leave it empty", error.Message);
    }

    [Fact]
    public async Task A_sign_in_answer_whose_token_is_not_a_string_says_it_is_not_Airflow_3()
    {
        await using var airflow = await FaultServer.AirflowAsync("v2", context => context.Request.Path == "/auth/token"
            ? HttpResults.Json(new { access_token = 42 }, statusCode: 201).ExecuteAsync(context)
            : HttpResults.Json(new { dags = System.Array.Empty<object>(), total_entries = 0 }).ExecuteAsync(context));

        var error = await Assert.ThrowsAsync<AirflowException>(() => Client(airflow.BaseUrl).ListDagsAsync());

        Assert.Equal(AirflowProblem.NotAirflow, error.Problem);
        Assert.Contains("answered without an access_token", error.Message);
    }

    [Fact]
    public async Task Airflow_3_validation_errors_name_the_field()
    {
        await using var airflow = await FaultServer.AirflowAsync("v2", context => context.Request.Path == "/auth/token"
            ? HttpResults.Json(new { access_token = "jwt" }, statusCode: 201).ExecuteAsync(context)
            : Problem(422, new { detail = new[] { new { loc = new[] { "body", "conf" }, msg = "Input should be a valid dictionary", type = "dict_type" } } })(context));

        var error = await Assert.ThrowsAsync<AirflowException>(() => Client(airflow.BaseUrl).TriggerAsync("d", new AirflowTrigger([])));

        Assert.Equal(AirflowProblem.Invalid, error.Problem);
        Assert.Contains("conf: Input should be a valid dictionary", error.Message);
    }

    [Fact]
    public async Task A_slow_airflow_times_out_with_a_message_not_a_hang()
    {
        await using var airflow = await FaultServer.AirflowAsync("v1", async context =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted).ContinueWith(_ => { });
        });

        var error = await Assert.ThrowsAsync<AirflowException>(() =>
            Client(airflow.BaseUrl, timeout: TimeSpan.FromMilliseconds(300)).ListDagsAsync());

        Assert.Equal(AirflowProblem.TimedOut, error.Problem);
        Assert.Contains("did not answer within", error.Message);
    }

    [Fact]
    public async Task A_login_page_or_another_server_is_not_taken_for_airflow()
    {
        // What a reverse proxy's sign-in page or a wrong port looks like: HTML everywhere.
        await using var html = await FaultServer.StartAsync(context =>
        {
            context.Response.ContentType = "text/html";
            return context.Response.WriteAsync("<html><body>Sign in</body></html>");
        });

        var error = await Assert.ThrowsAsync<AirflowException>(() => Client(html.BaseUrl).ListDagsAsync());

        Assert.Equal(AirflowProblem.NotAirflow, error.Problem);
        Assert.Contains(AirflowOptions.UrlVariable, error.Message);

        // Known to be Airflow 2, a redirect to the login page (what a refused session gets) is reported, not followed.
        await using var redirecting = await FaultServer.AirflowAsync("v1", context =>
        {
            context.Response.Redirect("/login/?next=/api/v1/dags");
            return Task.CompletedTask;
        });
        var redirected = await Assert.ThrowsAsync<AirflowException>(() => Client(redirecting.BaseUrl).ListDagsAsync());
        Assert.Equal(AirflowProblem.NotAirflow, redirected.Problem);
        Assert.Equal(302, redirected.Status);
    }

    [Theory]
    [InlineData(AirflowApiVersion.V2)]
    [InlineData(null)]
    public async Task A_proxys_gateway_page_is_a_server_error_to_wait_out_not_another_server(AirflowApiVersion? version)
    {
        // nginx in front of the AWS instance's Airflow, while systemd restarts the API server behind it.
        var restarted = false;
        await using var nginx = await FaultServer.StartAsync(context =>
        {
            if (restarted)
                return context.Request.Path == "/api/v2/version" ? HttpResults.Json(new { version = "3.1.0" }).ExecuteAsync(context)
                    : HttpResults.Json(new { dags = Array.Empty<object>(), total_entries = 0 }).ExecuteAsync(context);
            context.Response.StatusCode = 502;
            context.Response.ContentType = "text/html";
            return context.Response.WriteAsync("<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>");
        });
        var client = Client(nginx.BaseUrl, version, user: null);

        var error = await Assert.ThrowsAsync<AirflowException>(() => client.ListDagsAsync());

        Assert.Equal(AirflowProblem.ServerError, error.Problem);
        Assert.Equal(502, error.Status);
        Assert.Contains("answered 502 Bad Gateway, a proxy's word for the server behind it not answering", error.Message);
        Assert.Contains("Airflow may be starting, restarting or busy", error.Message);
        Assert.DoesNotContain("nginx", error.Message);

        // Once Airflow is back, the same client asks again, finding the API version it could not find before.
        restarted = true;
        Assert.Empty(await client.ListDagsAsync().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Airflow_3_signs_in_once_and_again_only_when_the_token_expires()
    {
        var issued = 0;
        var valid = "";
        await using var airflow = await FaultServer.AirflowAsync("v2", async context =>
        {
            if (context.Request.Path == "/auth/token")
            {
                var body = await JsonNode.ParseAsync(context.Request.Body);
                Assert.Equal("panel", body!["username"]!.GetValue<string>());
                valid = $"jwt-{++issued}";
                await HttpResults.Json(new { access_token = valid }, statusCode: 201).ExecuteAsync(context);
            }
            else if (context.Request.Headers.Authorization.ToString() != $"Bearer {valid}")
                await Problem(401, new { detail = "Invalid JWT" })(context);
            else
                await HttpResults.Json(new { dags = new[] { new { dag_id = "cord19_processing", is_paused = false } }, total_entries = 1 }).ExecuteAsync(context);
        });
        var client = Client(airflow.BaseUrl);

        await client.ListDagsAsync();
        await client.ListDagsAsync();
        Assert.Equal(1, issued);

        valid = "rotated"; // the server no longer accepts jwt-1
        Assert.Single(await client.ListDagsAsync());
        Assert.Equal(2, issued);
    }

    [Fact]
    public async Task A_refused_password_is_not_retried()
    {
        await using var airflow = await FaultServer.AirflowAsync("v2", context => context.Request.Path == "/auth/token"
            ? Problem(401, new { detail = "Invalid credentials" })(context)
            : Problem(500, new { detail = "should not be reached" })(context));

        var error = await Assert.ThrowsAsync<AirflowException>(() => Client(airflow.BaseUrl).ListDagsAsync());

        Assert.Equal(AirflowProblem.Unauthorized, error.Problem);
        Assert.Contains("refused the credentials (401)", error.Message);
        Assert.DoesNotContain("Invalid credentials", error.Message);
        Assert.Equal(["GET /api/v2/version", "POST /auth/token"], airflow.Paths);
    }

    [Fact]
    public void Options_refuse_an_api_path_or_a_non_http_address()
    {
        Assert.Null(AirflowOptions.From(null, null, null, null, null));
        Assert.Contains("without /api/v1", Assert.Throws<ArgumentException>(() => AirflowOptions.From("http://h:8080/api/v1", null, null, null, null)).Message);
        Assert.Contains("not an http(s) address", Assert.Throws<ArgumentException>(() => AirflowOptions.From("ftp://h", null, null, null, null)).Message);
        var options = AirflowOptions.From("http://airflow:8080", null, "hunter2", null, null)!;
        Assert.Equal("http://airflow:8080/", options.BaseUrl.ToString());
        Assert.DoesNotContain("hunter2", options.ToString());
    }
}
