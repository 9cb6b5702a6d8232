using System.Diagnostics;
using System.Text.Json;
using Cord19.Core.Pipeline;
using Cord19.Core.Results;
using Cord19.Core.Settings;
using Cord19.Pipeline.Corpora;

namespace Cord19.Pipeline;

/// <summary>
/// The benchmark's commands: build the corpora (real files merged, synthetic ones of any size) and time the
/// whole pipeline on one. ./bench-pipeline.sh puts them together with the scikit-learn script.
/// </summary>
internal static class BenchmarkCommands
{
    public const string Usage = """
          corpus --source <file> [--source <file> …] --out <corpus.csv.gz>
                                                      the real papers with an abstract of several CORD-19 files, as one file
          synth --source <file> [--source …] --documents <n> --out <corpus.csv.gz> [--mix neighbours|random] [--seed <n>]
                                                      a synthetic corpus from real abstracts (see docs/benchmarks.md)
          bench --metadata <file> [--preset seed|large] [--published-from yyyy-mm-dd] [--seed <n>] [--out <folder>]
                                                      the whole pipeline, timed; its figures go to <folder>/figures.json
          stop-words                                  the words pre-processing drops, one a line (the benchmark's
                                                      scikit-learn script drops the same ones)
        """;

    public static bool Handles(string command) => command is "corpus" or "synth" or "bench" or "stop-words";

    public static async Task<int> RunAsync(string[] args)
    {
        var options = Parse(args);
        string One(string key, string? fallback = null) => options.TryGetValue(key, out var v) ? v[^1]
            : fallback ?? throw new UsageException($"'{args[0]}' needs --{key}.");
        void Log(string message) => Console.Error.WriteLine($"{DateTime.UtcNow:HH:mm:ss} [{args[0]}] {message}");

        switch (args[0])
        {
            case "stop-words":
                foreach (var word in StopWords.All.Order(StringComparer.Ordinal)) Console.WriteLine(word);
                return 0;
            case "corpus":
                Log($"{CorpusFile.Merge(options.GetValueOrDefault("source") ?? throw new UsageException("'corpus' needs --source."), One("out")):N0} papers written to {One("out")}");
                return 0;
            case "synth":
                var mix = One("mix", "neighbours") switch
                {
                    "neighbours" => SyntheticCorpus.Mix.Neighbours,
                    "random" => SyntheticCorpus.Mix.Random,
                    var other => throw new UsageException($"--mix is '{other}': use 'neighbours' or 'random'."),
                };
                var rows = SyntheticCorpus.Generate(options.GetValueOrDefault("source") ?? throw new UsageException("'synth' needs --source."),
                    Number(One("documents"), "--documents"), One("out"), Number(One("seed", "7"), "--seed"), mix, Log);
                Log($"{rows:N0} synthetic papers written to {One("out")}");
                return 0;
            default:
                var preset = One("preset", Presets.Seed);
                if (!Presets.All.Contains(preset)) throw new UsageException($"--preset is '{preset}': use 'seed' or 'large'.");
                var named = Presets.Named(preset);
                var settings = named with
                {
                    PublishedFrom = options.ContainsKey("published-from") ? DateOnly.Parse(One("published-from")) : null,
                    // Another seed shows how much of a quality figure is the draw (k-means' starts, LDA's sampler).
                    Seed = options.ContainsKey("seed") ? Number(One("seed"), "--seed") : named.Seed,
                };
                await BenchAsync(One("metadata"), settings, One("out", Path.Combine(Path.GetTempPath(), "cord19-bench")), Log);
                return 0;
        }
    }

    private static async Task BenchAsync(string metadata, PipelineSettings settings, string output, Action<string> log)
    {
        if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        var results = new ResultStore(new LocalFolderObjectStore(Path.Combine(output, "results")));
        var steps = new QuietSteps(log);

        var watch = Stopwatch.StartNew();
        var reader = new MetadataCsvReader(metadata);
        // As phase 4 does: the abstracts wait on disk until the run publishes them.
        using var abstracts = new AbstractSpool(output);
        var preprocessed = new Preprocessor(settings).Run(reader.Read(), Path.GetFileName(metadata), DateTime.UtcNow, CancellationToken.None, abstracts);
        var preprocessSeconds = watch.Elapsed.TotalSeconds;
        log($"preprocess: {preprocessed.Documents.Count:N0} documents kept of {preprocessed.Manifest.RowsRead:N0} rows in {preprocessSeconds:0.0} s ({QuietSteps.Memory()})");

        var corpus = abstracts.Corpus(preprocessed.Manifest, preprocessed.Stems, preprocessed.Documents);
        var run = await new ProcessingPipeline(settings, results, steps).RunAsync(corpus, RunManifest.FullScope, DateTime.UtcNow);
        var stages = new Dictionary<string, double> { ["preprocess"] = Math.Round(preprocessSeconds, 3) };
        foreach (var timing in run.Timings) stages[timing.Step] = timing.Seconds;

        // Written to a file for bench/compare.py, which sets them beside scikit-learn's.
        var figures = Path.Combine(output, "figures.json");
        await File.WriteAllTextAsync(figures, JsonSerializer.Serialize(new
        {
            documents = run.Documents,
            stages,
            seconds = Math.Round(stages.Values.Sum(), 3),
            wallSeconds = Math.Round(watch.Elapsed.TotalSeconds, 3),
            peakMemoryMb = Math.Round(Process.GetCurrentProcess().PeakWorkingSet64 / 1024.0 / 1024.0, 1),
            mapMethod = run.MapMethod,
            quality = run.Quality,
            parameters = run.Parameters,
        }, new JsonSerializerOptions(JsonSerializerDefaults.Web)));
        log($"figures in {figures}");
    }

    private static int Number(string text, string option) =>
        int.TryParse(text, out var n) && n >= 0 ? n : throw new UsageException($"{option} is '{text}': give a whole number.");

    private static Dictionary<string, List<string>> Parse(string[] args)
    {
        var options = new Dictionary<string, List<string>>();
        for (var i = 1; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--") || i + 1 >= args.Length) throw new UsageException($"Option '{args[i]}' needs a value.");
            (options.TryGetValue(args[i][2..], out var values) ? values : options[args[i][2..]] = []).Add(args[i + 1]);
        }
        var known = args[0] switch
        {
            "corpus" => new[] { "source", "out" },
            "synth" => ["source", "documents", "out", "mix", "seed"],
            _ => ["metadata", "preset", "published-from", "seed", "out"],
        };
        foreach (var key in options.Keys.Except(known)) throw new UsageException($"Unknown option '--{key}'.");
        return options;
    }

    /// <summary>Step lines to standard error, so standard output carries only the figures.</summary>
    private sealed class QuietSteps(Action<string> log) : IStepRecorder
    {
        public async Task StepAsync(string step, Func<CancellationToken, Task> body, bool checkpointed = false)
        {
            var watch = Stopwatch.StartNew();
            await body(CancellationToken.None);
            log($"{step}: {watch.Elapsed.TotalSeconds:0.0} s ({Memory()})");
        }

        /// <summary>
        /// Where the memory goes: the live managed heap now, the process's peak so far, and the full collections and
        /// pauses so far (what holding the peak down costs in time).
        /// </summary>
        public static string Memory()
        {
            using var process = Process.GetCurrentProcess();
            return $"heap {GC.GetTotalMemory(forceFullCollection: false) / 1e9:0.00} GB, peak so far {process.PeakWorkingSet64 / 1e9:0.00} GB, " +
                $"{GC.CollectionCount(2)} full collections and {GC.GetTotalPauseDuration().TotalSeconds:0.0} s of GC pauses so far, " +
                // Summed over threads, so it can overlap other work: 0.3-0.45 s of the real corpus's 1.7-2.0 s of pre-processing.
                $"{System.Runtime.JitInfo.GetCompilationTime().TotalSeconds:0.00} s compiling {System.Runtime.JitInfo.GetCompiledMethodCount():N0} methods";
        }

        // The pipeline's own lines (cluster sizes, topics per cluster) say where a stage's time went.
        public Task LogAsync(string message)
        {
            log($"  {message}");
            return Task.CompletedTask;
        }
    }
}

/// <summary>Wrong usage: exit 2 with the usage text.</summary>
internal sealed class UsageException(string message) : Exception(message);
