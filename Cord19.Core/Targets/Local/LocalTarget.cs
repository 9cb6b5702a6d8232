using System.Text.Json;
using Cord19.Core.Deployments;
using Cord19.Core.Execution;
using Cord19.Core.Pipeline;
using Cord19.Core.Results;
using Cord19.Core.Settings;

namespace Cord19.Core.Targets.Local;

/// <summary>
/// The seven phases on this machine, no cloud account needed: a workspace folder and the panel's own phase runner
/// stand in for EC2 and Airflow (phases 2 and 4 to 6 run cord19-pipeline in a child process, as Airflow's tasks run it),
/// DuckDB for Redshift over Glue, and the result folder for S3.
/// </summary>
public sealed class LocalTarget(LocalWorkspace workspace, IResultStore results, PipelineProcess pipeline, Configuration.Cord19Options options) : ITarget
{
    public const string WorkspaceKind = "workspace";
    public const string OrchestratorKind = "local-orchestrator";
    public const string LakeDatabaseKind = "duckdb-database";
    public const string LakeTableKind = "data-lake-table";
    public const string PipelineKind = "pipeline-definition";

    private static readonly JsonSerializerOptions Indented = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public DeploymentTarget Kind => DeploymentTarget.Local;

    public Task RunAsync(PhaseContext context) => context.Phase.Number switch
    {
        1 => PrepareWorkspaceAsync(context),
        2 => RegisterDataLakeAsync(context),
        3 => RegisterPipelineAsync(context),
        4 => PreprocessAsync(context),
        5 => ProcessAsync(context, RunManifest.SubsetScope),
        6 => ProcessAsync(context, RunManifest.FullScope),
        7 => DeallocateAsync(context),
        _ => throw new ArgumentOutOfRangeException(nameof(context), context.Phase.Number, "Unknown phase."),
    };

    /// <summary>The ledger in the order <see cref="DeallocateAsync"/> deletes it (newest first, as the ledger lists it).</summary>
    public Task<IReadOnlyList<PlannedDeletion>> PlanDeallocationAsync(Guid deploymentId, PipelineSettings settings,
        IReadOnlyList<Deployments.ResourceView> ledger, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<PlannedDeletion>>(ledger
            .Select(r => new PlannedDeletion(r.Kind, r.Locator, r.Description, InLedger: true, FoundByTags: false,
                State: File.Exists(r.Locator.Split('#')[0]) || Directory.Exists(r.Locator.Split('#')[0]) ? "present" : "missing"))
            .ToList());

    private async Task PrepareWorkspaceAsync(PhaseContext context)
    {
        await context.StepAsync("workspace", async _ =>
        {
            Directory.CreateDirectory(workspace.Root);
            await context.RecordResourceAsync(WorkspaceKind, workspace.Root, "Folder for the data lake and intermediates");
            await context.LogAsync($"Workspace ready at {workspace.Root}.");
        }, checkpointed: true);

        await context.StepAsync("orchestrator", async ct =>
        {
            var description = new
            {
                runner = "local orchestrator: phases 2 and 4 to 6 run cord19-pipeline as a child process",
                steps = PipelineDefinition.Steps,
                results = results.Location,
            };
            await File.WriteAllTextAsync(workspace.Orchestrator, JsonSerializer.Serialize(description, Indented), ct);
            await context.RecordResourceAsync(OrchestratorKind, workspace.Orchestrator,
                $"Runs the {PipelineDefinition.Steps.Count} pipeline steps with cord19-pipeline");
            await context.LogAsync($"Local orchestrator ready: {PipelineDefinition.Steps.Count} step definitions, results in {results.Location}.");
        }, checkpointed: true);
    }

    private async Task RegisterDataLakeAsync(PhaseContext context)
    {
        RequireWorkspace();
        var source = context.Settings.UsesShippedSample ? DataDirectory.ShippedSample : context.Settings.MetadataPath!;
        // Checked again at run time: the run's settings may have been saved before CORD19_DATA_ROOTS was set.
        if (!context.Settings.UsesShippedSample && DataRoots.Problem(source, options.DataRootFolders) is { } outside)
            throw new PhaseFailedException(outside);
        if (await context.SkippedAsCompletedEarlierAsync(DuckDbDataLake.LoadStep)) return;
        await context.LogAsync($"Reading {(context.Settings.UsesShippedSample ? "the shipped CORD-19 sample" : source)}.");
        await context.RecordResourceAsync(LakeDatabaseKind, workspace.LakeDatabase, "DuckDB database (stands in for Redshift)");
        await pipeline.RunAsync(["load-lake", "--metadata", source, "--lake", workspace.LakeDatabase], NoEnvironment, context);
        await context.RecordResourceAsync(LakeTableKind, $"{workspace.LakeDatabase}#{DuckDbDataLake.Table}", $"Loaded from {Path.GetFileName(source)}");
    }

    private async Task RegisterPipelineAsync(PhaseContext context)
    {
        RequireWorkspace();
        await context.StepAsync("register-pipeline", async ct =>
        {
            var definition = new { dags = PipelineDefinition.Steps.GroupBy(s => s.Dag).Select(g => new { dag = g.Key, tasks = g.ToList() }) };
            await File.WriteAllTextAsync(workspace.PipelineDefinition, JsonSerializer.Serialize(definition, Indented), ct);
            await context.RecordResourceAsync(PipelineKind, workspace.PipelineDefinition, "The pipeline's DAGs and tasks");
            foreach (var step in PipelineDefinition.Steps)
                await context.LogAsync($"{step.Dag} › {step.Id}: {step.Title}" +
                    (step.DependsOn.Count > 0 ? $" (after {string.Join(", ", step.DependsOn)})" : ""));
        }, checkpointed: true);
    }

    private async Task PreprocessAsync(PhaseContext context)
    {
        RequireWorkspace();
        if (await context.SkippedAsCompletedEarlierAsync(PipelineDefinition.Preprocess.Id)) return;
        if (!File.Exists(workspace.LakeDatabase))
            throw new PhaseFailedException("The data lake database is missing. Run phase 2 (data lake setup) again.");
        await RunPipelineAsync(context, ["preprocess", "--lake", workspace.LakeDatabase]);
    }

    private async Task ProcessAsync(PhaseContext context, string scope)
    {
        var corpus = await Guard(() => results.LoadLatestCorpusManifestAsync(context.Cancellation))
            ?? throw new PhaseFailedException("There is no pre-processed corpus. Run phase 4 (data pre-processing) first.");
        await context.LogAsync($"Corpus {corpus.CorpusId}: {corpus.DocumentsKept:N0} documents.");
        await RunPipelineAsync(context, ["process", "--scope", scope]);
    }

    /// <summary>cord19-pipeline in a child process, on the run's settings and this panel's result store.</summary>
    private async Task RunPipelineAsync(PhaseContext context, IReadOnlyList<string> arguments)
    {
        RequireWorkspace();
        var settings = workspace.RunSettings(context.Run.Id);
        await File.WriteAllTextAsync(settings, JsonSerializer.Serialize(context.Settings, SettingsStore.Json), context.Cancellation);
        try
        {
            await pipeline.RunAsync([.. arguments, "--results", results.Location, "--settings", settings], ResultsEnvironment(), context);
        }
        finally
        {
            File.Delete(settings);
        }
    }

    private static readonly IReadOnlyDictionary<string, string?> NoEnvironment = new Dictionary<string, string?>();

    /// <summary>The S3 results' region, endpoint and keys as cord19-pipeline reads them; nothing for the data directory's folder.</summary>
    private IReadOnlyDictionary<string, string?> ResultsEnvironment()
    {
        if (options.ResultsBucket is not { } s3) return NoEnvironment;
        var environment = new Dictionary<string, string?>
        {
            ["CORD19_S3_REGION"] = s3.Region,
            ["CORD19_S3_ENDPOINT"] = s3.Endpoint,
        };
        if (s3.Credentials?.GetCredentials() is { } keys)
        {
            environment["AWS_ACCESS_KEY_ID"] = keys.AccessKey;
            environment["AWS_SECRET_ACCESS_KEY"] = keys.SecretKey;
            environment["AWS_SESSION_TOKEN"] = keys.UseToken ? keys.Token : null;
        }
        return environment;
    }

    private async Task DeallocateAsync(PhaseContext context)
    {
        var live = await context.LiveResourcesAsync();
        await context.StepAsync("delete-resources", async _ =>
        {
            // Newest first: the table before its database, the database before the workspace that holds it.
            foreach (var resource in live)
            {
                var path = resource.Locator.Split('#')[0];
                if (resource.Kind == LakeTableKind) { /* goes with its database file */ }
                else if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
                else if (File.Exists(path)) File.Delete(path);
                await context.MarkResourceDeletedAsync(resource.Id);
                await context.LogAsync($"Deleted {resource.Kind}: {resource.Locator}.");
            }
            if (Directory.Exists(workspace.Root)) Directory.Delete(workspace.Root, recursive: true);
            if (live.Count == 0) await context.LogAsync("No live resources: nothing to delete.");
        });

        await context.StepAsync("results", async ct =>
        {
            if (context.Run.DeleteResults)
            {
                await results.DeleteAllAsync(ct);
                await context.LogAsync($"Deleted all results in {results.Location}, as requested.");
            }
            else
            {
                await context.LogAsync($"Results kept in {results.Location}.");
            }
        });
    }

    private void RequireWorkspace()
    {
        if (!Directory.Exists(workspace.Root))
            throw new PhaseFailedException($"The workspace {workspace.Root} is missing. Run phase 1 again.");
    }

    /// <summary>
    /// Turns bad-input errors into a failed phase whose message the user can act on. Anything else is a bug,
    /// and the runner reports it as unexpected.
    /// </summary>
    private static async Task<T> Guard<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception ex) when (ex is InvalidDataException or ResultFileException)
        {
            throw new PhaseFailedException(ex.Message, ex);
        }
    }
}
