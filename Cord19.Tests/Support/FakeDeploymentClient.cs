using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Cord19.Core.Costs;
using Cord19.Core.Deployments;
using Cord19.Core.Live;
using Cord19.Core.Phases;
using Cord19.Web.ServiceClient;

namespace Cord19.Tests.Support;

/// <summary>A deployment client whose snapshot and change stream the test controls (Aspire dashboard style).</summary>
public sealed class FakeDeploymentClient : IDeploymentClient
{
    private readonly Channel<DeploymentChange> _changes = Channel.CreateUnbounded<DeploymentChange>();

    public DeploymentSnapshot Snapshot { get; set; } = Snapshots.Fresh();
    public Dictionary<Guid, List<LogLine>> Logs { get; } = [];
    public List<RunRequest> Requests { get; } = [];
    public Func<RunRequest, RunRequestOutcome> Answer { get; set; } = r => RunRequestOutcome.Refused("not in this test");

    /// <summary>What reading the snapshot throws, when set: the state database out of reach, an unexpected error.</summary>
    public Exception? SnapshotFailure { get; set; }

    /// <summary>How often the snapshot was read: a test knows by it that a change was taken in.</summary>
    public int SnapshotReads { get; private set; }

    public Task<DeploymentSnapshot> GetSnapshotAsync(CancellationToken ct)
    {
        SnapshotReads++;
        return SnapshotFailure is { } failure ? Task.FromException<DeploymentSnapshot>(failure) : Task.FromResult(Snapshot);
    }

    public Task<IReadOnlyList<LogLine>> GetLogAsync(Guid runId, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<LogLine>>(Logs.TryGetValue(runId, out var lines) ? lines.ToList() : []);

    public async IAsyncEnumerable<DeploymentChange> WatchAsync([EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var change in _changes.Reader.ReadAllAsync(ct))
            yield return change;
    }

    public Task<RunRequestOutcome> RequestRunAsync(RunRequest request, CancellationToken ct)
    {
        Requests.Add(request);
        return Task.FromResult(Answer(request));
    }

    public int Preparations { get; private set; }

    public void PrepareForRunRequests() => Preparations++;

    public Cord19.Core.Execution.DeallocationPlan? Plan { get; set; }

    /// <summary>Answers later, as the real dry run does (it asks AWS): a dialog that showed it only if it came at once hid that.</summary>
    public async Task<Cord19.Core.Execution.DeallocationPlan?> PlanDeallocationAsync(CancellationToken ct)
    {
        await Task.Yield();
        return Plan;
    }

    public IReadOnlyList<CostEstimate.PhaseEstimate> Estimates { get; set; } = [];

    public Task<IReadOnlyList<CostEstimate.PhaseEstimate>> GetEstimatesAsync(CancellationToken ct) => Task.FromResult(Estimates);

    public Cord19.Core.Execution.ProcessingForecast? Forecast { get; set; }

    public Task<Cord19.Core.Execution.ProcessingForecast?> GetProcessingForecastAsync(CancellationToken ct) => Task.FromResult(Forecast);

    public void Push(DeploymentChange change) => _changes.Writer.TryWrite(change);
}

/// <summary>Builds deployment snapshots for page tests.</summary>
public static class Snapshots
{
    public static readonly Guid DeploymentId = Guid.Parse("00000000-0000-0000-0000-0000000000d1");

    public static DeploymentSnapshot Fresh() => With();

    /// <summary>A snapshot where the given phases have a latest run with the given status.</summary>
    public static DeploymentSnapshot With(params (int Phase, PhaseStatus Status, Guid RunId)[] runs) => Build(ended: false, runs);

    /// <summary>A deployment that de-allocation ended, with the given runs.</summary>
    public static DeploymentSnapshot Ended(params (int Phase, PhaseStatus Status, Guid RunId)[] runs) => Build(ended: true, runs);

    private static DeploymentSnapshot Build(bool ended, (int Phase, PhaseStatus Status, Guid RunId)[] runs)
    {
        var statuses = runs.ToDictionary(r => r.Phase, r => r.Status);
        var lifecycle = runs.Length == 0 ? DeploymentLifecycle.None : ended ? DeploymentLifecycle.Ended : DeploymentLifecycle.Active;
        var phases = Phase.All.Select(p =>
        {
            var run = runs.Where(r => r.Phase == p.Number).Select(r => new PhaseRunView(
                r.RunId, DeploymentId, p.Number, r.Status, false, DateTime.UtcNow.AddMinutes(-1),
                DateTime.UtcNow.AddMinutes(-1), r.Status == PhaseStatus.Running ? null : DateTime.UtcNow,
                r.Status == PhaseStatus.Failed ? "The metadata file is broken: fix it, then check it with `cord19-pipeline check`." : null)).FirstOrDefault();
            return new PhaseState(p, run?.Status ?? PhaseStatus.NotStarted, run, PhaseRules.WhyNot(p, statuses, lifecycle));
        }).ToList();
        var deployment = runs.Length == 0 ? null
            : new DeploymentView(DeploymentId, DeploymentTarget.Local, DateTime.UtcNow.AddHours(-1), ended ? DateTime.UtcNow : null);
        return new DeploymentSnapshot(deployment, phases, []);
    }
}
