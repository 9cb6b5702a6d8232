using Cord19.Core.Phases;
using Cord19.Core.Results;
using Cord19.Core.Settings;
using Cord19.Tests.Support;

namespace Cord19.Tests.Targets;

/// <summary>The local target with its results in an S3-compatible server (s3rver), as CORD19_S3_* configure it.</summary>
public sealed class LocalTargetS3Tests(S3rverFixture s3) : IClassFixture<S3rverFixture>
{
    [Fact]
    public async Task The_pipeline_program_writes_to_the_panels_bucket_with_the_panels_keys()
    {
        // The keys are the panel's configuration, not the environment's: the pipeline program gets them in its own.
        await using var h = await CoreHarness.StartAsync(options: o =>
        {
            o.S3Bucket = S3rver.Bucket;
            o.S3Prefix = "panel";
            o.S3Endpoint = s3.Server.Endpoint;
            o.S3AccessKeyId = "S3RVER";
            o.S3SecretAccessKey = "S3RVER";
        });
        await h.Settings.SaveAsync(new PipelineSettings { SubsetSize = 200, LdaIterations = 10 });

        for (var phase = 1; phase <= 5; phase++)
        {
            var state = await h.RunAsync(phase);
            Assert.True(state.Status == PhaseStatus.Succeeded, $"phase {phase}: {state.LatestRun?.Reason}\n{await h.LogTextAsync(state)}");
        }

        Assert.StartsWith($"s3://{S3rver.Bucket}/panel", h.Results.Location);
        var run = Assert.Single((await h.Results.ListRunsAsync(default)).Runs);
        Assert.Equal((RunManifest.SubsetScope, 200), (run.Scope, run.Documents));
        Assert.Empty(Directory.EnumerateFileSystemEntries(h.Data.Results));
    }
}
