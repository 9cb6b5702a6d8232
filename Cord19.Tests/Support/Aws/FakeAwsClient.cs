using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Cord19.Core.Aws;
using Cord19.Core.Targets.Aws;
using Cord19.Web.ServiceClient;

namespace Cord19.Tests.Support.Aws;

/// <summary>The AWS page's client for page tests: checklist and orphans as set, status pushed through a channel.</summary>
public sealed class FakeAwsClient : IAwsClient
{
    private readonly Channel<AwsStatus> _status = Channel.CreateUnbounded<AwsStatus>();

    public IReadOnlyList<CheckItem> Checks { get; set; } = [];
    /// <summary>The Settings region's (us-east-2) orphans.</summary>
    public IReadOnlyList<TaggedResource> Orphans { get => _regions[0].Resources; set => _regions[0] = _regions[0] with { Resources = value }; }
    public AwsException? RoleFailure { get; set; }
    public int RoleRequests { get; private set; }
    public int Watchers { get; private set; }

    public Task<IReadOnlyList<CheckItem>> RunChecklistAsync(CancellationToken ct) => Task.FromResult(Checks);

    public Task<IReadOnlyList<string>> CreateRolesAsync(CancellationToken ct)
    {
        RoleRequests++;
        if (RoleFailure is { } failure) return Task.FromException<IReadOnlyList<string>>(failure);
        Checks = Checks.Select(c => c.Name.StartsWith("IAM role", StringComparison.Ordinal) ? c with { Outcome = CheckOutcome.Passed, Fix = null } : c).ToList();
        return Task.FromResult<IReadOnlyList<string>>([$"{AwsNames.SpectrumRole}: arn:aws:iam::123456789012:role/cord19/{AwsNames.SpectrumRole}"]);
    }

    private readonly List<AwsReconciler.RegionOrphans> _regions = [new("us-east-2", [])];

    /// <summary>Adds another region's search, after the Settings region's.</summary>
    public void AddRegion(AwsReconciler.RegionOrphans region) => _regions.Add(region);

    public Task<IReadOnlyList<AwsReconciler.RegionOrphans>> FindOrphansAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<AwsReconciler.RegionOrphans>>([.. _regions]);

    public List<string> OrphanDeletions { get; } = [];

    public int Rotations { get; private set; }

    public Task<string> RotateAirflowPasswordAsync(CancellationToken ct)
    {
        Rotations++;
        return Task.FromResult("A new Airflow admin password is in /cord19/00000000/airflow-admin-password and set on i-0test.");
    }

    public Task<AwsReconciler.OrphanDeletion> DeleteOrphansAsync(string region, string confirmation, CancellationToken ct)
    {
        OrphanDeletions.Add(confirmation);
        var index = _regions.FindIndex(r => r.Region == region);
        var deleted = _regions[index].Resources.Select(o => $"{o.Kind} {o.Locator}").ToList();
        _regions[index] = _regions[index] with { Resources = [] };
        return Task.FromResult(new AwsReconciler.OrphanDeletion(region, deleted, [], [], null));
    }

    public async IAsyncEnumerable<AwsStatus> WatchStatusAsync(Guid deploymentId, [EnumeratorCancellation] CancellationToken ct)
    {
        Watchers++;
        await foreach (var status in _status.Reader.ReadAllAsync(ct))
            yield return status;
    }

    public void Push(AwsStatus status) => _status.Writer.TryWrite(status);
}
