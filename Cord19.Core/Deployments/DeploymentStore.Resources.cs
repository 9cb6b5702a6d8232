using Cord19.Core.Live;
using Microsoft.EntityFrameworkCore;

namespace Cord19.Core.Deployments;

/// <summary>The ledger of what each deployment created and deleted.</summary>
public sealed partial class DeploymentStore
{
    /// <summary>
    /// Records a resource. Recording a live one again (a resumed phase) keeps its entry and its age; one whose entry has
    /// ended (a cluster resumed after its pause, or made again) gets a new entry, so the ended one keeps what it cost. A
    /// new entry begins now, or at <paramref name="since"/> when that is earlier (something found running that the panel did not start).
    /// </summary>
    public async Task<ResourceView> RecordResourceAsync(RunKey run, string kind, string locator, string? description, DateTime? since = null,
        CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Read and written again as one on a retry: one after a connection lost at the commit finds its row, not a duplicate key.
        var resource = await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            var resource = await db.Resources.FirstOrDefaultAsync(
                r => r.DeploymentId == run.DeploymentId && r.Kind == kind && r.Locator == locator && r.DeletedAt == null, ct);
            if (resource is null)
            {
                resource = new DeployedResource { DeploymentId = run.DeploymentId, PhaseRunId = run.Id, Kind = kind, Locator = locator };
                db.Resources.Add(resource);
            }
            resource.Description = description;
            if (resource.CreatedAt == default) resource.CreatedAt = since is { } s && s < Now ? s : Now;
            await db.SaveChangesAsync(ct);
            return resource;
        });
        feed.Publish(new ResourcesChanged(run.DeploymentId));
        return ResourceView.From(resource);
    }

    public Task MarkResourceDeletedAsync(Guid resourceId, CancellationToken ct = default) => MarkResourceDeletedAsync(resourceId, Now, ct);

    /// <summary>
    /// Marks a resource deleted at <paramref name="deletedAt"/> (now, or a moment known from AWS that is earlier than this
    /// look: an instance that ended itself while the panel was away), kept between its recording and now.
    /// </summary>
    public async Task MarkResourceDeletedAsync(Guid resourceId, DateTime deletedAt, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var resource = await db.Resources.FirstAsync(r => r.Id == resourceId, ct);
        resource.DeletedAt ??= new DateTime(Math.Clamp(deletedAt.Ticks, resource.CreatedAt.Ticks, Now.Ticks), DateTimeKind.Utc);
        await db.SaveChangesAsync(ct);
        feed.Publish(new ResourcesChanged(resource.DeploymentId));
    }

    public async Task<IReadOnlyList<ResourceView>> GetLiveResourcesAsync(Guid deploymentId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var live = await db.Resources.AsNoTracking()
            .Where(r => r.DeploymentId == deploymentId && r.DeletedAt == null)
            .OrderByDescending(r => r.CreatedAt)
            .ToListAsync(ct);
        return live.Select(ResourceView.From).ToList();
    }

    /// <summary>Whether the deployment ever recorded a resource, deleted since or not.</summary>
    public async Task<bool> HasRecordedResourcesAsync(Guid deploymentId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Resources.AnyAsync(r => r.DeploymentId == deploymentId, ct);
    }

    private static Task<List<DeployedResource>> ResourcesOfAsync(Cord19Db db, Guid deploymentId, CancellationToken ct) =>
        db.Resources.AsNoTracking().Where(r => r.DeploymentId == deploymentId).OrderBy(r => r.CreatedAt).ToListAsync(ct);
}
