using Cord19.Core.Pipeline;
using Cord19.Core.Results;
using Cord19.Core.Settings;
using Cord19.Core.Targets.Local;

namespace Cord19.Tests.Support;

/// <summary>The shipped CORD-19 sample, loaded and pre-processed once for every test that needs it.</summary>
public static class SampleCorpus
{
    private static readonly Lazy<Task<Preprocessor.Output>> Shared = new(LoadAsync);

    public static Task<Preprocessor.Output> GetAsync() => Shared.Value;

    public static Corpus AsCorpus(this Preprocessor.Output output) => new(output.Manifest, output.Stems, output.Documents);

    private static async Task<Preprocessor.Output> LoadAsync()
    {
        // The lake is needed only while the papers are read: every run of the tests left a 9 MB database behind.
        using var folder = new TempDirectory();
        var lake = new DuckDbDataLake(folder.File("lake.duckdb"));
        await lake.RegisterAsync(DataDirectory.ShippedSample, CancellationToken.None);
        var papers = await lake.ReadPapersAsync(CancellationToken.None).ToListAsync();
        return new Preprocessor(new PipelineSettings()).Run(papers, "sample", DateTime.UtcNow, CancellationToken.None);
    }
}
