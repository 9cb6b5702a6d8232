using Cord19.Core.Live;
using Microsoft.EntityFrameworkCore;

namespace Cord19.Core.Deployments;

/// <summary>The runs' step logs.</summary>
public sealed partial class DeploymentStore
{
    public async Task<IReadOnlyList<LogLine>> GetLogAsync(Guid runId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var run = await RunByIdAsync(db, runId, ct);
        if (run is null) return [];
        var lines = await LogOfAsync(db, runId, ct);
        return lines.Select(l => ToLine(l, run.PhaseNumber)).ToList();
    }

    /// <summary>Whether the run's log has this line at this step.</summary>
    public async Task<bool> HasLoggedAsync(Guid runId, string step, string message, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var stored = StoredText.Clean(message);
        return await db.StepLog.AnyAsync(l => l.PhaseRunId == runId && l.Step == step && l.Message == stored, ct);
    }

    /// <param name="run">The run the line belongs to; its key carries what the change stream needs, so a line costs one insert.</param>
    public async Task<LogLine> AppendLogAsync(RunKey run, LogLevel level, string step, string message, bool completesStep = false, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var entry = new StepLogEntry { PhaseRunId = run.Id, At = Now, Level = level, Step = step, Message = StoredText.Clean(message), CompletesStep = completesStep };
        db.StepLog.Add(entry);
        await db.SaveChangesAsync(ct);
        var line = ToLine(entry, run.PhaseNumber);
        feed.Publish(new LogLineAdded(run.DeploymentId, line));
        return line;
    }

    private static Task<List<StepLogEntry>> LogOfAsync(Cord19Db db, Guid runId, CancellationToken ct) =>
        db.StepLog.AsNoTracking().Where(l => l.PhaseRunId == runId).OrderBy(l => l.Id).ToListAsync(ct);

    private static LogLine ToLine(StepLogEntry e, int phase) => new(e.Id, e.PhaseRunId, phase, e.At, e.Level, e.Step, e.Message);
}
