using System.Text.Json;
using Cord19.Core.Configuration;
using Cord19.Core.Pipeline;
using Cord19.Core.Results;
using Cord19.Core.Settings;
using Cord19.Core.Targets.Local;

namespace Cord19.Pipeline;

/// <summary>
/// cord19-pipeline: the same pipeline code as the control panel's local target, as a program for Airflow
/// tasks and for people. Exit codes: 0 done, 2 wrong usage, 3 bad input (the message says what to fix).
/// </summary>
public static class Program
{
    private static readonly string Usage = $"""
        Usage: cord19-pipeline <command> [options]

        Commands:
          preprocess --metadata <metadata.csv[.gz]>   filter, clean, tokenise and stem; save the corpus
          preprocess --lake <lake.duckdb>             the same from the control panel's data lake (its phase 2 table)
          process [--scope subset|full]               cluster, topics, map and quality on the latest corpus
          all --metadata <file> [--scope subset|full] both
          load-lake --metadata <file> --lake <lake.duckdb>
                                                      load a metadata file into the data lake's table (the control
                                                      panel's phase 2), replacing what was there
        {FetchCommands.Usage}
        {BenchmarkCommands.Usage}
        Options:
          --results <folder | s3://bucket/prefix>     where results go (default: ./results); S3 uses the AWS SDK's
                                                      credential chain, and CORD19_S3_ENDPOINT for S3-compatible servers
          --settings <settings.json>                  pipeline parameters as the control panel saves them (default: the seed's)
          --preset seed|large                         the seed's parameters (default) or the large preset's
          --run-id <id>                               publish the run under this id (Airflow passes its run id); a new one otherwise
          --progress text|json                        steps as log lines (default), or as JSON lines for the control panel
                                                      that started this program, which then stops when its input closes
        """;

    public static async Task<int> Main(string[] args)
    {
        ProcessCulture.UseInvariant(); // its logs are English sentences, read on the panel's pages
        try
        {
            if (args is ["--help" or "-h" or "help"])
            {
                Console.WriteLine(Usage);
                return 0;
            }
            if (args.Length > 0 && BenchmarkCommands.Handles(args[0])) return await BenchmarkCommands.RunAsync(args);
            if (args.Length > 0 && FetchCommands.Handles(args[0])) return await FetchCommands.RunAsync(args);
            var options = Options.Parse(args);
            IStepRecorder steps = options.Progress == "json" ? new PanelSteps() : new ConsoleSteps();
            if (options.Command is "load-lake")
            {
                await LoadLakeAsync(options.Metadata!, options.Lake!, steps);
                return 0;
            }
            var results = new ResultStore(OpenObjects(options.Results));
            var settings = options.SettingsPath is null ? new PipelineSettings() : await ReadSettingsAsync(options.SettingsPath);
            if (options.Preset is { } preset) settings = Presets.Apply(settings, preset);

            if (options.Command is "preprocess" or "all")
                await PreprocessAsync(options.Lake is { } lake ? PaperSource.Lake(lake) : PaperSource.Metadata(options.Metadata!), settings, results, steps);
            if (options.Command is "process" or "all")
            {
                var corpus = await results.LoadLatestCorpusAsync(ProcessingPipeline.SampleFor(options.Scope, settings), CancellationToken.None)
                    ?? throw new InvalidDataException($"There is no corpus in {results.Location}: run 'cord19-pipeline preprocess' first.");
                var manifest = await new ProcessingPipeline(settings, results, steps).RunAsync(corpus, options.Scope, DateTime.UtcNow, options.RunId);
                Console.WriteLine($"run {manifest.RunId}: {manifest.Documents:N0} documents, {manifest.Clusters} clusters, {manifest.Topics} topics");
            }
            return 0;
        }
        catch (UsageException ex)
        {
            Console.Error.WriteLine(ex.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }
        catch (Exception ex) when (ex is InvalidDataException or ResultFileException or FileNotFoundException)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 3;
        }
        catch (UnauthorizedAccessException ex)
        {
            // A folder it may not write (made by another user, say): the person's to fix, not a crash with a stack trace.
            Console.Error.WriteLine($"error: {ex.Message} Check that this user may write there, or choose another path, then run the command again.");
            return 3;
        }
    }

    /// <summary>
    /// The control panel's phase 2, which runs it in a child process, so that DuckDB's import (its 1 GB pool and the
    /// file's reader: 1.2 GB on a million rows) neither raises the panel's memory nor can take the panel down with it.
    /// </summary>
    private static Task LoadLakeAsync(string metadata, string lakePath, IStepRecorder steps) =>
        steps.StepAsync(DuckDbDataLake.LoadStep, async ct =>
        {
            var loaded = await new DuckDbDataLake(lakePath).RegisterAsync(metadata, ct);
            await steps.LogAsync(
                $"Table '{DuckDbDataLake.Table}': {loaded.Rows:N0} rows, {loaded.RowsWithAbstract:N0} with an abstract, {loaded.Columns.Count} columns.");
        });

    private static Task PreprocessAsync(PaperSource source, PipelineSettings settings, IResultStore results, IStepRecorder steps) =>
        steps.StepAsync(PipelineDefinition.Preprocess.Id, async ct =>
        {
            // Streamed row by row: only the kept, tokenised documents are held in memory, their abstracts set aside
            // on the disk that holds the source until the corpus is written (at a million, they are most of the memory).
            using var abstracts = new AbstractSpool(source.Folder);
            var output = new Preprocessor(settings).Run(source.Papers(ct), source.Name, DateTime.UtcNow, ct, abstracts);
            foreach (var (reason, count) in output.Manifest.Skipped.Concat(source.Skipped()).OrderByDescending(s => s.Value))
                await steps.LogAsync($"Skipped {count:N0}: {reason}.");
            if (output.Documents.Count == 0)
                throw new InvalidDataException($"Pre-processing kept none of the {output.Manifest.RowsRead:N0} rows ({source.Name}; see the skip counts above). {source.Fix}");
            await results.SaveCorpusAsync(output.Manifest, output.Stems, abstracts.Restore(output.Documents), ct);
            await steps.LogAsync($"Kept {output.Documents.Count:N0} of {output.Manifest.RowsRead:N0} papers; corpus {output.Manifest.CorpusId} saved in {results.Location}.");
        });

    private static IObjectStore OpenObjects(string results) =>
        results.StartsWith("s3://", StringComparison.Ordinal) ? S3At(results).Open() : new LocalFolderObjectStore(Path.GetFullPath(results));

    /// <summary>An s3://bucket/prefix address in the region and at the endpoint the environment names (the instance's airflow.env).</summary>
    internal static S3Location S3At(string address)
    {
        var path = address["s3://".Length..].Split('/', 2);
        return new S3Location(path[0], path.Length > 1 ? path[1] : "",
            Environment.GetEnvironmentVariable("CORD19_S3_REGION") is { Length: > 0 } r ? r : "us-east-2",
            Environment.GetEnvironmentVariable("CORD19_S3_ENDPOINT"));
    }

    /// <summary>A settings file on this machine, or in S3 (s3://bucket/key: what the control panel writes for a DAG run).</summary>
    private static async Task<PipelineSettings> ReadSettingsAsync(string path)
    {
        string text;
        if (path.StartsWith("s3://", StringComparison.Ordinal))
        {
            var slash = path.LastIndexOf('/');
            await using var stream = await OpenObjects(path[..slash]).OpenReadAsync(path[(slash + 1)..], CancellationToken.None)
                ?? throw new FileNotFoundException($"Settings file {path} does not exist.");
            text = await new StreamReader(stream).ReadToEndAsync();
        }
        else
        {
            if (!File.Exists(path)) throw new FileNotFoundException($"Settings file {path} does not exist.");
            text = await File.ReadAllTextAsync(path);
        }
        PipelineSettings settings;
        try
        {
            settings = JsonSerializer.Deserialize<PipelineSettings>(text, SettingsStore.Json) ?? new();
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Settings file {path} is not valid JSON ({ex.Message}).");
        }
        var errors = settings.Validate();
        if (errors.Count > 0) throw new InvalidDataException($"Settings file {path}: {string.Join(" ", errors)}");
        return settings;
    }

    private sealed record Options(string Command, string? Metadata, string? Lake, string Scope, string Results, string? SettingsPath, string? RunId, string? Preset,
        string Progress)
    {
        public static Options Parse(string[] args)
        {
            if (args.Length == 0 || args[0] is not ("preprocess" or "process" or "all" or "load-lake"))
                throw new UsageException(args.Length == 0 ? "No command given." : $"Unknown command '{args[0]}'.");
            var values = new Dictionary<string, string>();
            for (var i = 1; i < args.Length; i++)
            {
                if (!args[i].StartsWith("--") || i + 1 >= args.Length)
                    throw new UsageException($"Option '{args[i]}' needs a value.");
                values[args[i][2..]] = args[++i];
            }
            foreach (var key in values.Keys.Except(["metadata", "lake", "scope", "results", "settings", "run-id", "preset", "progress"]))
                throw new UsageException($"Unknown option '--{key}'.");
            var scope = values.GetValueOrDefault("scope", RunManifest.FullScope);
            if (scope is not (RunManifest.SubsetScope or RunManifest.FullScope))
                throw new UsageException($"--scope is '{scope}': use 'subset' or 'full'.");
            if (args[0] is "load-lake" && !(values.ContainsKey("metadata") && values.ContainsKey("lake")))
                throw new UsageException("'load-lake' needs --metadata <metadata.csv> and --lake <lake.duckdb>, both.");
            // Rather than ignore them: someone who gave --results expects the load to go there.
            if (args[0] is "load-lake" && values.Keys.Except(["metadata", "lake", "progress"]).FirstOrDefault() is { } unused)
                throw new UsageException($"'load-lake' takes --metadata, --lake and --progress only; --{unused} is for the other commands.");
            if (args[0] is "preprocess" or "all" && values.ContainsKey("metadata") == values.ContainsKey("lake"))
                throw new UsageException($"'{args[0]}' needs --metadata <metadata.csv> or --lake <lake.duckdb>, one of them.");
            var progress = values.GetValueOrDefault("progress", "text");
            if (progress is not ("text" or "json"))
                throw new UsageException($"--progress is '{progress}': use 'text' or 'json'.");
            // An empty --settings (a DAG run without a settings file) means the defaults.
            return new Options(args[0], values.GetValueOrDefault("metadata"), values.GetValueOrDefault("lake"), scope, values.GetValueOrDefault("results", "results"),
                values.GetValueOrDefault("settings") is { Length: > 0 } settingsPath ? settingsPath : null,
                values.GetValueOrDefault("run-id"), values.GetValueOrDefault("preset") is { } preset && !Presets.All.Contains(preset)
                    ? throw new UsageException($"--preset is '{preset}': use 'seed' or 'large'.") : values.GetValueOrDefault("preset"),
                progress);
        }
    }


    /// <summary>Steps and log lines to standard output, one line each, for Airflow's task log.</summary>
    private sealed class ConsoleSteps : IStepRecorder
    {
        private string _step = "";

        public async Task StepAsync(string step, Func<CancellationToken, Task> body, bool checkpointed = false)
        {
            _step = step;
            var watch = System.Diagnostics.Stopwatch.StartNew();
            await LogAsync("started");
            await body(CancellationToken.None);
            await LogAsync($"done in {watch.Elapsed.TotalSeconds:0.0} s");
        }

        public Task LogAsync(string message)
        {
            Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} [{_step}] {message}");
            return Task.CompletedTask;
        }
    }
}
