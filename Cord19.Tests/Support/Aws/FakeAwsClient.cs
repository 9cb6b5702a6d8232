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
    public IReadOnlyList<TaggedResource> Orphans { get; set; } = [];
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

    /// <summary>Other regions' searches, after the Settings region's (<see cref="Orphans"/>, in us-east-2).</summary>
    public List<AwsReconciler.RegionOrphans> OtherRegions { get; } = [];

    public Task<IReadOnlyList<AwsReconciler.RegionOrphans>> FindOrphansAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<AwsReconciler.RegionOrphans>>([new("us-east-2", Orphans), .. OtherRegions]);

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
        if (OtherRegions.FindIndex(r => r.Region == region) is var other and >= 0)
        {
            var gone = OtherRegions[other].Resources.Select(o => $"{o.Kind} {o.Locator}").ToList();
            OtherRegions[other] = OtherRegions[other] with { Resources = [] };
            return Task.FromResult(new AwsReconciler.OrphanDeletion(region, gone, [], [], null));
        }
        var deleted = Orphans.Select(o => $"{o.Kind} {o.Locator}").ToList();
        Orphans = [];
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
