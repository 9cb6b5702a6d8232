using System.Text.Json;
using Cord19.Core.Deployments;
using Cord19.Core.Live;
using Microsoft.EntityFrameworkCore;

namespace Cord19.Core.Settings;

/// <summary>Reads and saves <see cref="PipelineSettings"/> in the app's database.</summary>
public sealed class SettingsStore(IDbContextFactory<Cord19Db> dbFactory, IDeploymentFeed feed, Configuration.Cord19Options options)
{
    private const string Key = "pipeline";
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    /// <summary>CORD19_TARGET=aws (or local) picks the target whatever Settings say, e.g. for an operator's service unit.</summary>
    public const string TargetVariable = "CORD19_TARGET";

    /// <summary>The target CORD19_TARGET fixes, or null when Settings choose.</summary>
    public DeploymentTarget? FixedTarget => options.FixedTarget;

    /// <summary>The settings' problems, input folders (CORD19_DATA_ROOTS) included.</summary>
    public IReadOnlyList<string> Validate(PipelineSettings settings) => settings.Validate(options.DataRootFolders);

    /// <summary>The same, each with its field.</summary>
    public IReadOnlyList<SettingsProblem> Problems(PipelineSettings settings) => settings.Problems(options.DataRootFolders);

    public async Task<PipelineSettings> GetAsync(CancellationToken ct = default)
    {
        var settings = await GetStoredAsync(ct);
        return FixedTarget is { } target ? settings with { Target = target } : settings;
    }

    /// <summary>What Settings hold, without CORD19_TARGET's override (what a partial update applies to).</summary>
    public async Task<PipelineSettings> GetStoredAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var stored = await db.Settings.AsNoTracking().FirstOrDefaultAsync(s => s.Key == Key, ct);
        if (stored is null) return new PipelineSettings();
        try
        {
            return JsonSerializer.Deserialize<PipelineSettings>(stored.Json, Json) ?? new PipelineSettings();
        }
        catch (JsonException)
        {
            // A hand-edited or older row must not lock the user out of the app: fall back to defaults.
            return new PipelineSettings();
        }
    }

    /// <summary>
    /// Saves valid settings; returns the problems otherwise (nothing is saved then), each with its field, so a form can
    /// mark it; a refused write comes back as a problem with no field.
    /// </summary>
    public async Task<IReadOnlyList<SettingsProblem>> SaveAsync(PipelineSettings settings, CancellationToken ct = default)
    {
        var problems = Problems(settings);
        if (problems.Count > 0) return problems;

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var json = JsonSerializer.Serialize(settings, Json);
        try
        {
            // Read and written again as one on a retry: one after a connection lost at the commit finds the row it added.
            await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
            {
                db.ChangeTracker.Clear();
                var stored = await db.Settings.FirstOrDefaultAsync(s => s.Key == Key, ct);
                if (stored is null) db.Settings.Add(new StoredSetting { Key = Key, Json = json });
                else stored.Json = json;
                await db.SaveChangesAsync(ct);
            });
        }
        catch (Exception ex) when (ex is DbUpdateException or Microsoft.Data.Sqlite.SqliteException)
        {
            return [new SettingsProblem("", Deployments.StateDatabaseFailure.Describe(ex))];
        }
        feed.Publish(new SettingsChanged());
        return [];
    }
}
