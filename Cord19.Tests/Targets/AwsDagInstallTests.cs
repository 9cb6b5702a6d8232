using System.IO.Compression;
using System.Text.RegularExpressions;
using Cord19.Core.Airflow;
using Cord19.Core.Deployments;
using Cord19.Core.Settings;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support;
using Cord19.Tests.Support.Aws;
using static Cord19.Tests.Targets.AwsTargetTests;

namespace Cord19.Tests.Targets;

/// <summary>
/// Phase 3 against the target's seam: what the install fetches is in the bucket, what it sets is what the DAG file reads,
/// metadata already in the bucket is kept, and a failure on the instance or in Airflow stops the phase with its cause.
/// </summary>
public sealed partial class AwsDagInstallTests
{
    [Fact]
    public async Task Every_file_the_install_fetches_is_in_the_bucket_and_the_lakes_export_is_left_as_phase_two_made_it()
    {
        await using var h = await ThroughPhaseTwoAsync();
        var names = await h.NamesAsync();
        var export = await ReadAsync(h, names, names.ExportKey);

        Succeeded(await h.Core.RunAsync(3), "");

        var install = Assert.Single(h.Cloud.Commands);
        var fetched = PresignedKeys(install, names);
        Assert.Equal(["deploy/cord19-pipeline.tar.gz", $"deploy/{DagFiles.FileName}", names.ExportKey], fetched);
        Assert.Equal(DagFiles.Generate()[DagFiles.FileName], System.Text.Encoding.UTF8.GetString((await ReadAsync(h, names, $"deploy/{DagFiles.FileName}"))!));
        await using (var bundle = new MemoryStream((await ReadAsync(h, names, "deploy/cord19-pipeline.tar.gz"))!))
        await using (var tar = new System.Formats.Tar.TarReader(new GZipStream(bundle, CompressionMode.Decompress)))
            Assert.Contains(await EntriesAsync(tar), e => e.TrimStart('.', '/') == PipelineBundle.Program);
        Assert.Equal(export, await ReadAsync(h, names, names.ExportKey));
    }

    [Fact]
    public async Task The_install_stops_at_its_first_failure_and_sets_every_Airflow_variable_the_DAG_file_reads()
    {
        await using var h = await ThroughPhaseTwoAsync();
        Succeeded(await h.Core.RunAsync(3), "");

        var lines = Assert.Single(h.Cloud.Commands).Split('\n');
        Assert.Equal("set -eu", lines[AwsPolling.OneAtATime.Count]);
        var read = VariableRead().Matches(DagFiles.Generate()[DagFiles.FileName]).Select(m => m.Groups[1].Value).ToHashSet();
        var set = lines.Select(l => VariableSet().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Equal(["cord19_metadata", "cord19_pipeline_command", "cord19_results"], read.Order());
        Assert.Equal(read, set);
        Assert.Contains(lines, l => l.EndsWith($"variables set cord19_pipeline_command /opt/cord19/pipeline/{PipelineBundle.Program}", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.EndsWith("variables set cord19_metadata /opt/cord19/metadata.csv.gz", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_panels_own_metadata_file_is_what_phase_three_ships()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        var mine = Path.Combine(h.Core.Data.Root, "my-metadata.csv");
        await using (var sample = new GZipStream(File.OpenRead(DataDirectory.ShippedSample), CompressionMode.Decompress))
        await using (var file = File.Create(mine))
            await sample.CopyToAsync(file);
        Assert.Empty(await h.Core.Settings.SaveAsync(new PipelineSettings
        {
            Target = DeploymentTarget.Aws, AwsMetadataSource = PipelineSettings.PanelMetadataSource, MetadataPath = mine,
        }));
        ReadyDags(h);

        for (var phase = 1; phase <= 3; phase++) Succeeded(await h.Core.RunAsync(phase), "");

        var names = await h.NamesAsync();
        Assert.Equal(await File.ReadAllBytesAsync(mine), await ReadAsync(h, names, "deploy/metadata.csv.gz"));
        Assert.Contains($"Metadata source: the panel's own file ({mine})", await h.Core.LogTextAsync((await h.Core.Store.GetSnapshotAsync())[3]));
    }

    [Fact]
    public async Task A_lost_lake_export_fails_phase_three_before_the_instance_is_asked_saying_to_run_phase_two_again()
    {
        await using var h = await ThroughPhaseTwoAsync();
        var names = await h.NamesAsync();
        await h.Cloud.Objects(names.AccountBucket, "").DeletePrefixAsync(names.ExportKey, default);

        var state = await h.Core.RunAsync(3);

        FailedSaying(state, $"The data lake's export s3://{names.Bucket}/{names.ExportKey} is missing: run phase 2 again",
            "or choose 'the panel's metadata file' as the AWS metadata source in Settings.");
        Assert.Empty(h.Cloud.Commands);
    }

    [Fact]
    public async Task An_install_that_fails_on_the_instance_fails_phase_three_with_its_error_and_the_fix()
    {
        await using var h = await ThroughPhaseTwoAsync();
        h.Cloud.CommandAnswer = () => new CommandState("Failed", "cord19: pipeline program runs", "curl: (22) The requested URL returned error: 403");

        var state = await h.Core.RunAsync(3);

        FailedSaying(state, "Installing on the instance ended Failed: curl: (22) The requested URL returned error: 403. Fix the cause, then run phase 3 again.");
        Assert.DoesNotContain(h.Airflow.Calls, c => c.StartsWith("paused", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_DAG_Airflow_cannot_import_fails_phase_three_naming_it()
    {
        await using var h = await ThroughPhaseTwoAsync();
        h.Airflow.Dags[1] = h.Airflow.Dags[1] with { HasImportErrors = true };

        var state = await h.Core.RunAsync(3);

        FailedSaying(state, $"Airflow could not import {h.Airflow.Dags[1].DagId}; see its import errors on the Airflow page, fix, and run phase 3 again.");
    }

    [Fact]
    public async Task Phase_three_waits_for_every_pipeline_DAG_and_unpauses_them_alone()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        // Airflow lists the operator's own DAG and the first of the pipeline's; the second shows a few looks later.
        var own = new AirflowDag("example_bash_operator", "example_bash_operator", IsPaused: true, null, [], HasImportErrors: false);
        h.Airflow.Dags.AddRange([own, new AirflowDag(PipelineDagRuns.DagIds[0], PipelineDagRuns.DagIds[0], IsPaused: true, null, ["cord19"], HasImportErrors: false)]);
        for (var phase = 1; phase <= 2; phase++) Succeeded(await h.Core.RunAsync(phase), "");
        var listings = h.Airflow.Calls.Count(c => c == "dags");
        var second = Task.Run(async () =>
        {
            await Until.TrueAsync(() => h.Airflow.Calls.Count(c => c == "dags") >= listings + 3, "phase 3 to look at the DAGs three times");
            lock (h.Airflow.Dags)
                h.Airflow.Dags.Add(new AirflowDag(PipelineDagRuns.DagIds[1], PipelineDagRuns.DagIds[1], IsPaused: true, null, ["cord19"], HasImportErrors: false));
        });

        var state = await h.Core.RunAsync(3);
        await second;

        Succeeded(state, await h.Core.LogTextAsync(state));
        Assert.All(PipelineDagRuns.DagIds, id => Assert.False(h.Airflow.Dags.Single(d => d.DagId == id).IsPaused));
        Assert.True(h.Airflow.Dags.Single(d => d.DagId == own.DagId).IsPaused);
    }

    /// <summary>Phases 1 and 2 done (the lake exported), with an Airflow that lists the pipeline's DAGs once they are installed.</summary>
    private static async Task<AwsTargetHarness> ThroughPhaseTwoAsync()
    {
        var h = await AwsTargetHarness.StartAsync();
        ReadyDags(h);
        for (var phase = 1; phase <= 2; phase++) Succeeded(await h.Core.RunAsync(phase), "");
        return h;
    }

    /// <summary>The bucket keys the script's presigned links name, in its order.</summary>
    private static List<string> PresignedKeys(string script, AwsNames names) =>
        [.. Regex.Matches(script, $@"https://{Regex.Escape(names.Bucket)}\.s3\.example/([^?']+)").Select(m => m.Groups[1].Value)];

    private static async Task<byte[]?> ReadAsync(AwsTargetHarness h, AwsNames names, string key)
    {
        await using var stream = await h.Cloud.Objects(names.AccountBucket, "").OpenReadAsync(key, default);
        if (stream is null) return null;
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private static async Task<List<string>> EntriesAsync(System.Formats.Tar.TarReader tar)
    {
        var entries = new List<string>();
        while (await tar.GetNextEntryAsync() is { } entry) entries.Add(entry.Name);
        return entries;
    }

    [GeneratedRegex(@"var\.value\.get\('([a-z0-9_]+)'")]
    private static partial Regex VariableRead();

    [GeneratedRegex(@"variables set ([a-z0-9_]+) ")]
    private static partial Regex VariableSet();
}
