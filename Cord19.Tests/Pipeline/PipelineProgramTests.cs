using System.Diagnostics;
using System.Text.Json;
using Cord19.Core.Pipeline;
using Cord19.Core.Results;
using Cord19.Core.Settings;
using Cord19.Tests.Support;

namespace Cord19.Tests.Pipeline;

/// <summary>The cord19-pipeline program, run as a process the way an Airflow task runs it.</summary>
public sealed class PipelineProgramTests(S3rverFixture s3) : IClassFixture<S3rverFixture>, IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task All_steps_on_the_shipped_sample_publish_a_complete_run_under_airflows_run_id()
    {
        var settings = _dir.File("settings.json");
        await File.WriteAllTextAsync(settings, JsonSerializer.Serialize(new PipelineSettings { SubsetSize = 200, LdaIterations = 10 }, SettingsStore.Json));
        var results = _dir.File("results");

        // As the processing DAG's task calls it: with Airflow's run id; on a machine whose locale writes decimal commas.
        var (exit, output, error) = await RunWithAsync(new Dictionary<string, string> { ["LC_ALL"] = "de_DE.UTF-8" },
            "all", "--metadata", DataDirectory.ShippedSample, "--scope", "subset", "--results", results, "--settings", settings,
            "--run-id", "manual__2024-05-01T12:30:00+00:00");

        Assert.True(exit == 0, error + output);
        // Its log is English, its numbers too (the German locale wrote "Kept 2.765 of 4.992" and "Silhouette 0,087").
        Assert.Matches(@"\[preprocess\] Kept \d,\d{3} of \d,\d{3} papers", output);
        Assert.Matches(@"Silhouette -?\d\.\d{3}, topic coherence \(UMass\) -?\d+\.\d{2}", output);
        Assert.Contains("[publish] done", output);
        await AssertOneCompleteRunAsync(new LocalFolderObjectStore(results), "manual__2024-05-01T12-30-00-00-00", documents: 200);
    }

    [Theory]
    [InlineData(new string[0], "No command given.")]
    [InlineData(new[] { "train" }, "Unknown command 'train'.")]
    [InlineData(new[] { "preprocess" }, "needs --metadata")]
    [InlineData(new[] { "preprocess", "--metadata", "m.csv", "--lake", "lake.duckdb" }, "one of them")]
    [InlineData(new[] { "process", "--progress", "xml" }, "use 'text' or 'json'")]
    [InlineData(new[] { "load-lake", "--metadata", "m.csv" }, "needs --metadata <metadata.csv> and --lake <lake.duckdb>, both")]
    [InlineData(new[] { "load-lake", "--metadata", "m.csv", "--lake", "l.duckdb", "--results", "r" }, "--results is for the other commands")]
    [InlineData(new[] { "process", "--scope", "half" }, "use 'subset' or 'full'")]
    [InlineData(new[] { "process", "--colour", "red" }, "Unknown option '--colour'.")]
    public async Task Wrong_usage_exits_2_with_the_usage(string[] args, string expected)
    {
        var (exit, _, error) = await RunAsync(args);
        Assert.Equal(2, exit);
        Assert.Contains(expected, error);
        Assert.Contains("Usage: cord19-pipeline", error);
    }

    [Fact]
    public async Task Help_prints_the_usage_and_succeeds()
    {
        // Phase 3 on AWS checks the installed program with --help under `set -e`.
        var (exit, output, _) = await RunAsync("--help");

        Assert.Equal(0, exit);
        Assert.Contains("Usage: cord19-pipeline", output);
    }

    [Fact]
    public async Task Stop_words_prints_the_words_pre_processing_drops_one_a_line()
    {
        // The benchmark's scikit-learn script reads them, so that both sides model the same words.
        var (exit, output, _) = await RunAsync("stop-words");

        Assert.Equal(0, exit);
        Assert.Equal(StopWords.All.Order(StringComparer.Ordinal), output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public async Task Bad_input_exits_3_naming_the_cause()
    {
        var csv = _dir.File("metadata.csv");
        await File.WriteAllTextAsync(csv, "id,name\n1,a\n");
        var (badFile, _, badFileError) = await RunAsync("preprocess", "--metadata", csv, "--results", _dir.File("r"));
        var (noCorpus, _, noCorpusError) = await RunAsync("process", "--results", _dir.File("empty"));
        var (badLoad, _, badLoadError) = await RunAsync("load-lake", "--metadata", csv, "--lake", _dir.File("lake.duckdb"));
        var (noLake, _, noLakeError) = await RunAsync("preprocess", "--lake", _dir.File("no-lake.duckdb"), "--results", _dir.File("r"));

        Assert.Equal(3, badFile);
        Assert.Contains("none of them 'title' and 'abstract'", badFileError);
        Assert.Equal(3, noCorpus);
        Assert.Contains("run 'cord19-pipeline preprocess' first", noCorpusError);
        Assert.Equal(3, badLoad);
        Assert.Contains("none of them 'title' and 'abstract'", badLoadError);
        Assert.Equal(3, noLake);
        Assert.Contains("The data lake database is missing", noLakeError);
        Assert.False(File.Exists(_dir.File("no-lake.duckdb")), "Reading a missing lake must not create an empty one.");
    }

    [Fact]
    public async Task A_DAG_run_reads_its_settings_from_S3_and_an_empty_settings_option_means_the_defaults()
    {
        // What the AWS target does for phases 4 to 6: the run's settings in the bucket, named in the DAG run's conf.
        await s3.Server.OpenStore("deploy").WriteAsync("settings-phase4.json",
            stream => stream.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(new PipelineSettings { SubsetSize = 1 }, SettingsStore.Json)).AsTask(), default);
        Dictionary<string, string> environment = new()
        {
            ["CORD19_S3_ENDPOINT"] = s3.Server.Endpoint, ["AWS_ACCESS_KEY_ID"] = "S3RVER", ["AWS_SECRET_ACCESS_KEY"] = "S3RVER",
        };

        var (fromS3, _, fromS3Error) = await RunWithAsync(environment, "preprocess", "--metadata", DataDirectory.ShippedSample, "--results", _dir.File("r1"),
            "--settings", $"s3://{S3rver.Bucket}/deploy/settings-phase4.json");
        var (defaults, output, error) = await RunAsync("preprocess", "--metadata", DataDirectory.ShippedSample, "--results", _dir.File("r2"), "--settings", "");

        Assert.Equal(3, fromS3);
        Assert.Contains($"Settings file s3://{S3rver.Bucket}/deploy/settings-phase4.json: Subset size is 1", fromS3Error);
        Assert.True(defaults == 0, error + output);
    }

    [Fact]
    public async Task The_DAGs_tasks_publish_to_S3_where_the_panel_reads_the_run()
    {
        // The DAGs' two tasks as Airflow runs them: in docker-compose (MinIO's endpoint and keys in the environment) or
        // on the AWS instance (its role). Both write to s3://bucket/prefix, which the panel reads as CORD19_S3_BUCKET/PREFIX.
        var settings = $"s3://{S3rver.Bucket}/tasks/settings.json";
        await s3.Server.OpenStore("tasks").WriteAsync("settings.json",
            stream => stream.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(new PipelineSettings { SubsetSize = 200, LdaIterations = 10 }, SettingsStore.Json)).AsTask(), default);
        var results = $"s3://{S3rver.Bucket}/tasks/results";
        Dictionary<string, string> environment = new()
        {
            ["CORD19_S3_ENDPOINT"] = s3.Server.Endpoint, ["AWS_ACCESS_KEY_ID"] = "S3RVER", ["AWS_SECRET_ACCESS_KEY"] = "S3RVER",
        };

        var (preprocessed, preprocessOutput, preprocessError) = await RunWithAsync(environment,
            "preprocess", "--metadata", DataDirectory.ShippedSample, "--settings", settings, "--results", results);
        Assert.True(preprocessed == 0, preprocessError + preprocessOutput);
        var (processed, processOutput, processError) = await RunWithAsync(environment,
            "process", "--scope", "subset", "--run-id", "manual__2026-12-03T16:00:00+00:00", "--settings", settings, "--results", results);
        Assert.True(processed == 0, processError + processOutput);

        await AssertOneCompleteRunAsync(s3.Server.OpenStore("tasks/results"), "manual__2026-12-03T16-00-00-00-00", documents: 200);
    }

    [Fact]
    public async Task For_the_panel_it_reports_steps_as_json_lines_and_stops_when_its_input_closes()
    {
        // As the local target runs it: the panel holds the program's input open while it lives.
        using var running = StartProgram("preprocess", "--metadata", DataDirectory.ShippedSample, "--results", _dir.File("r1"), "--progress", "json");
        var output = running.StandardOutput.ReadToEndAsync();
        await running.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(3)).Token);

        Assert.True(running.ExitCode == 0, await running.StandardError.ReadToEndAsync());
        var events = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(StepEvent.Parse).ToList();
        Assert.All(events, Assert.NotNull);
        Assert.Equal(new StepEvent(StepEventKind.Started, "preprocess"), events[0]);
        Assert.Contains(events, e => e is { Event: StepEventKind.Log, Step: "preprocess" } && e.Message!.StartsWith("Kept "));
        Assert.Equal(new StepEvent(StepEventKind.Done, "preprocess"), events[^1]);

        // The panel gone (its end of the pipe closed, as when it is killed): the program stops at once, before the
        // 1-2 s its pre-processing takes, and saves no corpus.
        using var orphan = StartProgram("preprocess", "--metadata", DataDirectory.ShippedSample, "--results", _dir.File("r2"), "--progress", "json");
        orphan.StandardInput.Close();
        await orphan.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(3)).Token);

        Assert.Equal(4, orphan.ExitCode);
        Assert.Null(await new ResultStore(new LocalFolderObjectStore(_dir.File("r2"))).LoadLatestCorpusManifestAsync(default));
    }

    /// <summary>What the panel's Results page reads: one run under <paramref name="runId"/>, with its documents and quality.</summary>
    private static async Task AssertOneCompleteRunAsync(IObjectStore objects, string runId, int documents)
    {
        var store = new ResultStore(objects);
        var listed = Assert.Single((await store.ListRunsAsync(default)).Runs);
        Assert.Equal(runId, listed.RunId);
        var run = await store.LoadRunAsync(listed.RunId, default);
        Assert.Equal(documents, run.Documents.Count);
        Assert.NotNull(run.Manifest.Quality);
    }

    private static Process StartProgram(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [ProgramDll(), .. args]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        return Process.Start(start)!;
    }

    private static string ProgramDll()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        return Path.Combine(RunningApp.RepositoryRoot(), "Cord19.Pipeline", "bin", configuration, "net10.0", "cord19-pipeline.dll");
    }

    private static Task<(int Exit, string Output, string Error)> RunAsync(params string[] args) => RunWithAsync(new Dictionary<string, string>(), args);

    internal static Task<(int Exit, string Output, string Error)> RunWithAsync(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        DotnetProgram.RunToExitAsync(ProgramDll(), environment, TimeSpan.FromMinutes(3), args);

    public void Dispose() => _dir.Dispose();
}
