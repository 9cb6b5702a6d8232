using System.Text.Json.Nodes;
using Cord19.Core.Airflow;
using Cord19.Tests.Support.Airflow;

namespace Cord19.Tests.Airflow;

/// <summary>
/// Every request the client can send keeps the official spec of the API it talks to, and answers of the spec's
/// shapes (all fields, and only the required ones with nulls) read into the client's models.
/// </summary>
public sealed class AirflowContractTests
{
    public static TheoryData<AirflowApiVersion, SchemaSample.Shape> Cases => new()
    {
        { AirflowApiVersion.V1, SchemaSample.Shape.Full },
        { AirflowApiVersion.V1, SchemaSample.Shape.Sparse },
        { AirflowApiVersion.V2, SchemaSample.Shape.Full },
        { AirflowApiVersion.V2, SchemaSample.Shape.Sparse },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Every_operation_keeps_the_spec_and_its_answers_parse(AirflowApiVersion version, SchemaSample.Shape shape)
    {
        var spec = AirflowSpec.Load(version);
        var client = SpecBackedAirflow.Client(spec, shape, out var airflow);

        var server = await client.GetServerAsync();
        var health = await client.GetHealthAsync();
        var dags = await client.ListDagsAsync();
        var paused = await client.SetPausedAsync("cord19_processing", true);
        var run = await client.TriggerAsync("cord19_processing", new AirflowTrigger(PipelineDagRuns.Conf("subset"), "manual__cord19:1+x", "from the panel"));
        var runs = await client.ListRunsAsync("cord19_processing", 10);
        var one = await client.GetRunAsync("cord19_processing", "manual__2024-05-01T12:30:00+00:00");
        var tasks = await client.ListTasksAsync("cord19_processing", "manual__2024-05-01T12:30:00+00:00");
        var log = await client.GetLogAsync("cord19_processing", "run 1", "process", 1);
        var more = await client.GetLogAsync("cord19_processing", "run 1", "process", 1, "token/with+chars");
        await client.ClearFailedTasksAsync("cord19_processing", "run 1");

        Assert.Equal(version, server.Api);
        // The one request outside an Airflow 2's spec is the deliberate probe for Airflow 3, which it answers with 404.
        var probe = version == AirflowApiVersion.V1 ? "/api/v2/version" : null;
        var problems = airflow.Requests.Where(r => r.Uri.AbsolutePath != probe).SelectMany(r => r.Problems).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        var api = airflow.Requests.Where(r => r.OperationId != "auth_token" && !r.Uri.AbsolutePath.EndsWith("/version")).ToList();
        Assert.Equal(
            ["get_health", "get_dags", "patch_dag", version == AirflowApiVersion.V1 ? "post_dag_run" : "trigger_dag_run",
             "get_dag_runs", "get_dag_run", "get_task_instances", "get_log", "get_log", "post_clear_task_instances"],
            api.Select(r => r.OperationId));
        // What each call asks for, beyond the spec's shapes: the run's conf and name, a retry of the failed tasks only.
        var trigger = JsonNode.Parse(api.Single(r => r.OperationId is "post_dag_run" or "trigger_dag_run").Body!)!.AsObject();
        Assert.Equal("subset", trigger["conf"]!["scope"]!.GetValue<string>());
        Assert.Equal("manual__cord19:1+x", trigger["dag_run_id"]!.GetValue<string>());
        Assert.Equal("from the panel", trigger["note"]!.GetValue<string>());
        // Airflow 3.0 requires the key (null: a run not tied to a schedule slot); Airflow 2 is not sent it.
        Assert.Equal(version == AirflowApiVersion.V2, trigger.ContainsKey("logical_date") && trigger["logical_date"] is null);
        var clear = JsonNode.Parse(api.Single(r => r.OperationId == "post_clear_task_instances").Body!)!.AsObject();
        Assert.Equal("""{"dag_run_id":"run 1","dry_run":false,"only_failed":true,"reset_dag_runs":true}""", clear.ToJsonString());
        Assert.Equal(version == AirflowApiVersion.V1 ? "?update_mask=is_paused" : "", api.Single(r => r.OperationId == "patch_dag").Uri.Query);

        // Credentials as each API wants them, on every call.
        var scheme = version == AirflowApiVersion.V1 ? "Basic" : "Bearer";
        Assert.All(api, r => Assert.StartsWith(scheme + " ", r.Authorization));

        // The answers are read, field by field where the shape has them. Airflow 2's spec requires no field at all,
        // so its sparse answers are empty objects: the client must still answer (empty lists, "unknown" states).
        var filled = shape == SchemaSample.Shape.Full || version == AirflowApiVersion.V2;
        Assert.Equal(filled ? 1 : 0, dags.Count);
        Assert.Equal(filled ? 1 : 0, runs.Count);
        Assert.Equal(filled ? 1 : 0, tasks.Count);
        Assert.Equal(filled ? "dag_id" : "", paused.DagId);
        Assert.Equal(filled ? "dag_run_id" : "", one.RunId);
        Assert.Equal(filled ? "queued" : "unknown", run.State);
        if (filled)
        {
            Assert.Equal("dag_id", dags[0].DagId);
            Assert.Equal("task_id", tasks[0].TaskId);
            Assert.Equal(1, tasks[0].TryNumber);
        }
        Assert.NotNull(health);
        if (shape == SchemaSample.Shape.Full)
        {
            Assert.Equal("version", server.Version);
            Assert.NotEmpty(log.Lines);
            Assert.Equal("continuation_token", log.ContinuationToken);
            Assert.Equal(version == AirflowApiVersion.V1 ? null : DateTimeOffset.Parse("2024-05-01T12:30:00+00:00"), log.Lines[0].Timestamp);
            Assert.Equal("description", dags[0].Description);
            Assert.NotNull(tasks[0].StartDate);
        }
    }

    [Theory]
    [InlineData(AirflowApiVersion.V1)]
    [InlineData(AirflowApiVersion.V2)]
    public async Task The_api_version_is_found_by_asking_the_server(AirflowApiVersion version)
    {
        var client = SpecBackedAirflow.Client(AirflowSpec.Load(version), SchemaSample.Shape.Full, out var airflow);

        Assert.Equal(version, (await client.GetServerAsync()).Api);
        await client.ListDagsAsync();

        // v2 is asked first; an Airflow 2 answers 404 there and is then asked at /api/v1.
        var asked = airflow.Requests.Where(r => r.Uri.AbsolutePath.EndsWith("/version")).Select(r => r.Uri.AbsolutePath).Take(2);
        Assert.Equal(version == AirflowApiVersion.V1 ? ["/api/v2/version", "/api/v1/version"] : ["/api/v2/version", "/api/v2/version"], asked);
    }

    [Theory]
    [InlineData(AirflowApiVersion.V1)]
    [InlineData(AirflowApiVersion.V2)]
    public void The_checker_finds_requests_that_break_the_spec(AirflowApiVersion version)
    {
        // So that "no problems" above means something: requests the client must never send are caught.
        var spec = AirflowSpec.Load(version);
        var prefix = version == AirflowApiVersion.V1 ? "/api/v1" : "/api/v2";
        HttpRequestMessage Request(HttpMethod method, string path) => new(method, new Uri("http://airflow.test" + prefix + path));

        Assert.Contains(spec.Check(Request(HttpMethod.Get, "/dags?limit=many"), null), p => p.Contains("?limit"));
        Assert.Contains(spec.Check(Request(HttpMethod.Get, "/dags?colour=blue"), null), p => p.Contains("'colour' is not in the spec"));
        Assert.Contains(spec.Check(Request(HttpMethod.Get, "/dagz"), null), p => p.Contains("no such operation"));
        Assert.Contains(spec.Check(Request(HttpMethod.Post, "/dags/d/dagRuns"), """{"conf": 5}"""), p => p.Contains("body.conf"));
        Assert.Contains(spec.Check(Request(HttpMethod.Post, "/dags/d/clearTaskInstances"), """{"dry_run": "no"}"""), p => p.Contains("dry_run"));
        if (version == AirflowApiVersion.V1)
            Assert.Contains(spec.Check(Request(HttpMethod.Post, "/dags/d/dagRuns"), """{"dag_id": "d"}"""), p => p.Contains("read-only"));
        else
            Assert.Contains(spec.Check(Request(HttpMethod.Post, "/dags/d/dagRuns"), """{"colour": "blue"}"""), p => p.Contains("'colour' is not allowed"));
    }

    [Fact]
    public void Both_specs_are_the_copies_described_in_SOURCES()
    {
        var folder = Path.GetDirectoryName(AirflowSpec.Load(AirflowApiVersion.V1).File)!;
        var sources = File.ReadAllText(Path.Combine(folder, "SOURCES.md"));
        foreach (var file in new[] { "airflow-2-v1.yaml", "airflow-3-v2.yaml" })
        {
            var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(folder, file))));
            Assert.Contains($"{hash}  {file}", sources);
        }
    }

    [Fact]
    public void A_typed_conf_is_an_object_or_a_message_saying_where_it_breaks()
    {
        Assert.Equal("full", PipelineDagRuns.ParseConf("""{"scope": "full"}""")["scope"]!.GetValue<string>());
        Assert.Empty(PipelineDagRuns.ParseConf("  "));
        var broken = Assert.Throws<AirflowException>(() => PipelineDagRuns.ParseConf("{\"scope\": \"full\",\n  oops}"));
        Assert.Contains("line 2", broken.Message);
        var notObject = Assert.Throws<AirflowException>(() => PipelineDagRuns.ParseConf("[1, 2]"));
        Assert.Contains("must be a JSON object, not array", notObject.Message);
        // System.Text.Json keeps both and throws ArgumentException when the object is first read: at the trigger, far from the typing.
        foreach (var twice in new[] { """{"scope": "full", "scope": "subset"}""", """{"scope": "full", "options": {"k": 1, "k": 2}}""" })
            Assert.Contains("gives a name twice in one object", Assert.Throws<AirflowException>(() => PipelineDagRuns.ParseConf(twice)).Message);
    }

    // The inputs are what Python 3 prints for str() of such lists (checked with python3): a text with a ' and no " is
    // quoted with ", and a backslash before an n is the log's own.
    [Fact]
    public void Airflow_2_logs_arrive_as_a_python_list_and_are_unwrapped()
    {
        Assert.Equal(["*** Found local files:", "[2024-05-01] INFO - Exporting env vars: AIRFLOW_CTX_DAG_ID='cord19_preprocess'"],
            Texts("""[('worker-1', "*** Found local files:\n[2024-05-01] INFO - Exporting env vars: AIRFLOW_CTX_DAG_ID='cord19_preprocess'\n")]"""));
        Assert.Equal(["say \"hi\", it's C:\\new\tdone \u0001 é \u200b"],
            Texts("""[('worker-1', 'say "hi", it\'s C:\\new\tdone \x01 é \u200b\n')]"""));
        Assert.Equal(["first host", "second host"], Texts("""[('worker-1', 'first host\n'), ('worker-2', 'second host\n')]"""));
        Assert.Equal(["Log message source details", "*** Found local files:", "done"],
            Texts("""[('worker-1', '::group::Log message source details\n*** Found local files:\n::endgroup::\ndone\n')]"""));
    }

    [Fact]
    public void A_log_that_only_looks_like_a_python_list_is_shown_as_it_came()
    {
        Assert.Equal(["[('worker-1', 'cut short"], Texts("[('worker-1', 'cut short"));
        Assert.Equal(["[('a', 'b')] and more"], Texts("[('a', 'b')] and more"));
        Assert.Equal(["[('a', 'bad \\x0')]"], Texts("[('a', 'bad \\x0')]"));
    }

    // The shape of Airflow 3's structured failure line (structlog's dict tracebacks, as Airflow's log view reads them).
    [Fact]
    public void Airflow_3_shows_a_failure_s_exception_beside_its_event_and_its_groups_unfolded()
    {
        using var answer = System.Text.Json.JsonDocument.Parse("""
            {"content": [
              {"event": "::group::Log message source details", "sources": ["/opt/airflow/logs/attempt=1.log"]},
              {"event": "::endgroup::"},
              {"timestamp": "2026-12-06T21:30:00Z", "level": "error", "event": "Task failed with exception", "logger": "task",
               "error_detail": [{"exc_type": "AirflowException", "exc_value": "Bash command failed. The command returned a non-zero exit code 3.",
                 "exc_notes": [], "syntax_error": null, "is_cause": false,
                 "frames": [{"filename": "/opt/airflow/task_runner.py", "lineno": 838, "name": "run"},
                            {"filename": "/opt/airflow/bash.py", "lineno": 233, "name": "execute"}]}]},
              {"event": "Rendered its own traceback", "error_detail": "Traceback (most recent call last):\nValueError: no abstract"},
              {"event": "Task finished", "level": "info"}
            ], "continuation_token": null}
            """);
        var lines = AirflowJson.Log(answer.RootElement).Lines;

        Assert.Equal(
            ["Log message source details: /opt/airflow/logs/attempt=1.log",
             "Task failed with exception",
             "AirflowException: Bash command failed. The command returned a non-zero exit code 3.",
             "  File \"/opt/airflow/task_runner.py\", line 838, in run",
             "  File \"/opt/airflow/bash.py\", line 233, in execute",
             "Rendered its own traceback", "Traceback (most recent call last):", "ValueError: no abstract",
             "Task finished"],
            lines.Select(l => l.Text));
        Assert.Equal("error", lines[1].Level);
        Assert.Null(lines[2].Timestamp);
    }

    private static IEnumerable<string> Texts(string content) => AirflowJson.PlainLines(content).Select(l => l.Text);
}
