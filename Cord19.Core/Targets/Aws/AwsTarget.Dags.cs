using System.Text;
using Cord19.Core.Airflow;
using Cord19.Core.Execution;
using Cord19.Core.Releases;
using Cord19.Core.Settings;

namespace Cord19.Core.Targets.Aws;

public sealed partial class AwsTarget
{
    private const string InstallRoot = "/opt/cord19";
    private static readonly TimeSpan LinkLifetime = TimeSpan.FromHours(1);

    /// <summary>
    /// Phase 3: the published pipeline program, the DAG file and the metadata go to the bucket; SSM Run Command
    /// fetches them on the instance through short-lived presigned links (no SSH key, no AWS CLI needed there,
    /// nothing compiled); the phase ends when Airflow lists the pipeline's DAGs.
    /// </summary>
    private async Task InstallDagsAsync(AwsRun run)
    {
        var (context, cloud, names) = run;
        var (instance, client) = await RequireAirflowAsync(run);
        var bundleKey = names.DeployPrefix + "cord19-pipeline.tar.gz";
        var dagKey = names.DeployPrefix + DagFiles.FileName;
        var fromLake = context.Settings.AwsMetadataSource == PipelineSettings.DataLakeMetadataSource;
        var release = context.Settings.AwsMetadataSource == PipelineSettings.ReleaseMetadataSource ? context.Settings.AwsRelease : null;
        // The data lake's export from phase 2 (the seed's way), a release the instance downloads (one key per release,
        // so another choice downloads again and a new instance reuses it), or the panel's own metadata file.
        var metadataKey = fromLake ? names.ExportKey
            : release is not null ? names.DeployPrefix + $"release-{MirrorAddress.FileStem(release)}.csv.gz"
            : names.DeployPrefix + "metadata.csv.gz";
        var downloadRelease = false;

        await context.StepAsync("upload", async ct =>
        {
            var bundle = await PipelineBundle.EnsureAsync(options.PipelineBundle, data, message => context.LogAsync(message), ct);
            await using (var packed = await PipelineBundle.PackAsync(bundle, ct))
            {
                await cloud.UploadAsync(names.AccountBucket, bundleKey, packed, ct);
                await context.LogAsync($"Pipeline program from {bundle} ({packed.Length / 1_048_576.0:0.0} MB packed) → s3://{names.Bucket}/{bundleKey}.");
            }
            await using (var dag = new MemoryStream(Encoding.UTF8.GetBytes(DagFiles.Generate()[DagFiles.FileName])))
                await cloud.UploadAsync(names.AccountBucket, dagKey, dag, ct);
            if (fromLake)
            {
                var size = await cloud.ObjectSizeAsync(names.AccountBucket, metadataKey, ct)
                    ?? throw new PhaseFailedException(
                        $"The data lake's export s3://{names.Bucket}/{metadataKey} is missing: run phase 2 again (it exports it), " +
                        "or choose 'the panel's metadata file' as the AWS metadata source in Settings.");
                await context.LogAsync($"DAGs uploaded. Metadata source: the COVID-19 data lake, exported by Redshift in phase 2 (s3://{names.Bucket}/{metadataKey}, {size / 1_048_576.0:0.0} MB).");
                return;
            }
            if (release is not null)
            {
                // No byte of the release passes through the panel: the instance downloads it (below) unless the bucket has it.
                var size = await cloud.ObjectSizeAsync(names.AccountBucket, metadataKey, ct);
                downloadRelease = size is null;
                await context.LogAsync(size is { } kept
                    ? $"DAGs uploaded. Metadata source: CORD-19 release {release}, already in s3://{names.Bucket}/{metadataKey} ({kept / 1_048_576.0:0.0} MB)."
                    : $"DAGs uploaded. Metadata source: CORD-19 release {release}; the instance downloads it into s3://{names.Bucket}/{metadataKey}.");
                return;
            }
            var metadata = context.Settings.UsesShippedSample ? DataDirectory.ShippedSample : context.Settings.MetadataPath!;
            await using (var file = File.OpenRead(metadata))
                await cloud.UploadAsync(names.AccountBucket, metadataKey, file, ct);
            await context.LogAsync($"DAGs uploaded. Metadata source: the panel's own file ({(context.Settings.UsesShippedSample ? "the shipped CORD-19 sample" : metadata)}), as chosen in Settings.");
        });

        await context.StepAsync("install", async _ =>
        {
            string Link(string key) => cloud.PresignGet(names.AccountBucket, key, LinkLifetime);
            var metadataFile = $"{InstallRoot}/metadata.csv.gz";
            var airflowCli = "sudo -u airflow -E bash -c 'set -a; . /etc/cord19/airflow.env; /opt/airflow/venv/bin/airflow \"$@\"' airflow";
            var program = $"{InstallRoot}/pipeline/{PipelineBundle.Program}";
            // The release comes from AI2's bucket (or the mirror) straight to the instance, verified, then into the
            // deployment's bucket with the instance's role; its region is the one airflow.env names for the results.
            var getMetadata = downloadRelease
                ? $"(set -a; . /etc/cord19/airflow.env; set +a; exec {program} fetch --release '{release}' --out {metadataFile} --copy-to s3://{names.Bucket}/{metadataKey})"
                : $"curl -fsSL '{Link(metadataKey)}' -o {metadataFile}";
            // Run Command runs these with sh (dash on Ubuntu): no bash-only options, no pipes whose failure would be lost.
            string[] script =
            [
                "set -eu",
                $"mkdir -p {InstallRoot}/pipeline /opt/airflow/dags",
                $"curl -fsSL '{Link(bundleKey)}' -o /tmp/cord19-pipeline.tar.gz",
                $"tar -xzf /tmp/cord19-pipeline.tar.gz -C {InstallRoot}/pipeline && rm /tmp/cord19-pipeline.tar.gz",
                $"chmod +x {InstallRoot}/pipeline/{PipelineBundle.Program}",
                $"curl -fsSL '{Link(dagKey)}' -o /opt/airflow/dags/{DagFiles.FileName}",
                getMetadata,
                $"chown -R airflow: {InstallRoot} /opt/airflow/dags",
                $"{airflowCli} variables set cord19_pipeline_command {InstallRoot}/pipeline/{PipelineBundle.Program}",
                $"{airflowCli} variables set cord19_results s3://{names.Bucket}/{names.ResultsPrefix.TrimEnd('/')}",
                $"{airflowCli} variables set cord19_metadata {metadataFile}",
                $"{InstallRoot}/pipeline/{PipelineBundle.Program} --help > /dev/null && echo 'cord19: pipeline program runs'",
            ];
            var done = await Poll.RunOnInstanceAsync(cloud, context, context.Cancellation, instance.InstanceId, script, options);
            if (done.Status != "Success")
                throw new PhaseFailedException($"Installing on the instance ended {done.Status}: {Tail(done.Error ?? done.Output)}. Fix the cause, then run phase 3 again.");
            await context.LogAsync($"Installed on the instance: {Tail(done.Output)}");
        });

        await context.StepAsync("dags-listed", async _ =>
        {
            var outage = new AirflowOutage(run, "waiting for the pipeline's DAGs to be listed", options.AirflowOutageLimit, clock);
            var dags = await Poll.UntilAsync(context, "Airflow listing the pipeline's DAGs", options.AirflowAnswerLimit, ct => outage.LookAsync(async token =>
            {
                var listed = await client.ListDagsAsync(token);
                if (listed.FirstOrDefault(d => PipelineDagRuns.DagIds.Contains(d.DagId) && d.HasImportErrors) is { } broken)
                    throw new PhaseFailedException($"Airflow could not import {broken.DagId}; see its import errors on the Airflow page, fix, and run phase 3 again.");
                return PipelineDagRuns.DagIds.All(id => listed.Any(d => d.DagId == id)) ? listed : null;
            }, ct));
            foreach (var dag in dags.Where(d => PipelineDagRuns.DagIds.Contains(d.DagId) && d.IsPaused))
                await AskAirflowAsync(context, outage, $"Airflow unpausing {dag.DagId}", token => client.SetPausedAsync(dag.DagId, false, token));
            await context.LogAsync($"Airflow lists {string.Join(" and ", PipelineDagRuns.DagIds)}, unpaused.");
        });
    }

    private static string Tail(string? text) =>
        string.IsNullOrWhiteSpace(text) ? "no output" : text.Trim().Length <= 600 ? text.Trim() : "…" + text.Trim()[^600..];
}
