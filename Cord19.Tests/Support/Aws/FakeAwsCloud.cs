using System.Collections.Concurrent;
using System.Net;
using Cord19.Core.Aws;
using Cord19.Core.Results;
using Cord19.Core.Targets.Aws;

namespace Cord19.Tests.Support.Aws;

/// <summary>
/// <see cref="IAwsCloud"/> held in memory, for the AWS target's logic: ordering, idempotency, resumption, teardown
/// and reconciliation. It is the target's own seam, not a stand-in for AWS: what AWS accepts is checked by the
/// contract tests against the botocore models, and nothing here claims the cloud path works.
/// </summary>
public sealed class FakeAwsCloud(string objectsRoot) : IAwsCloud, IAwsCloudFactory
{
    private int _ids;

    public string Region { get; private set; } = "us-east-2";
    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>Called before each create with (kind, name): a test checks the ledger already holds the record.</summary>
    public Func<string, string, Task>? BeforeCreate { get; set; }

    public Exception? IdentityFailure { get; set; }
    public Exception? RunInstancesFailure { get; set; }
    /// <summary>How many launches <see cref="RunInstancesFailure"/> refuses before it clears; null: every one.</summary>
    public int? RunInstancesFailureTimes { get; set; }
    /// <summary>RunInstances calls made for a new instance (a token EC2 already launched under is not counted), refused or not.</summary>
    public int RunInstancesAsked { get; private set; }
    public Exception? CreateClusterFailure { get; set; }
    /// <summary>Refusals the next CreateCluster calls answer, one each, before any other.</summary>
    public Queue<Exception> CreateClusterRefusals { get; } = new();
    public Exception? ResumeClusterFailure { get; set; }
    public Exception? DeleteClusterFailure { get; set; }
    public Exception? RoleFailure { get; set; }
    /// <summary>The current spot price in each zone that sells the type; every zone at the same price, by default.</summary>
    public Dictionary<string, decimal> SpotPrices { get; } = Zones.ToDictionary(zone => zone, _ => 0.05m);
    /// <summary>A type's own prices by zone, where a test needs types to differ; others are priced as <see cref="SpotPrices"/>.</summary>
    public Dictionary<string, Dictionary<string, decimal>> SpotPricesOf { get; } = [];
    /// <summary>Zones whose RunInstances answers with this refusal (no spot room there, say), whatever the type.</summary>
    public Dictionary<string, Exception> RunInstancesFailureIn { get; } = [];
    /// <summary>Types RunInstances refuses in every zone with this refusal.</summary>
    public Dictionary<string, Exception> RunInstancesFailureFor { get; } = [];
    /// <summary>Where EC2 launches an instance asked for without a zone.</summary>
    private const string ZoneEc2Picks = "us-east-2b";
    public double? SpotQuota { get; set; } = 32;
    /// <summary>As AWS's template (CovidLakeStack) makes it: 17 columns, a location without a trailing slash.</summary>
    public LakeTable? Lake { get; set; } = new(AwsNames.LakeDatabase, AwsNames.LakeTable, "s3://covid19-lake/alleninstitute/CORD19/json/metadata", 17);
    public long LakeRows { get; set; } = 52_398;
    public int DependencyViolationsPerGroup { get; set; }

    public Dictionary<string, IReadOnlyDictionary<string, string>> Buckets { get; } = [];
    /// <summary>The buckets created in the account's own namespace (CreateBucket's x-amz-bucket-namespace: account-regional).</summary>
    public HashSet<string> BucketsInAccountNamespace { get; } = [];
    /// <summary>Which global names another account holds: CreateBucket answers BucketAlreadyExists.</summary>
    public Func<string, bool> HeldByAnotherAccount { get; set; } = _ => false;
    public Dictionary<string, (string Value, IReadOnlyDictionary<string, string> Tags)> Secrets { get; } = [];
    public Dictionary<string, string> Roles { get; } = [];
    public Dictionary<string, RoleSpec> RoleSpecs { get; } = [];
    public HashSet<string> OrderableNodeTypes { get; } = ["ra3.large", "ra3.xlplus", "ra3.4xlarge"];
    public List<DeniedAction> Denied { get; } = [];
    public string LakeBucketRegion { get; set; } = "us-east-2";
    public string? ConsoleOutput { get; set; } = "cloud-init: running modules\nE: Could not get lock /var/lib/dpkg/lock-frontend";
    /// <summary>How many CreateCluster calls Redshift refuses because IAM has not shown it the new Spectrum role yet.</summary>
    public int RolePropagationFailures { get; set; }
    /// <summary>How many DeleteCluster calls Redshift refuses while the cluster is still being created.</summary>
    public int InvalidClusterStateFailures { get; set; }
    /// <summary>Instance ids whose termination EC2 refuses.</summary>
    public HashSet<string> Unterminatable { get; } = [];
    /// <summary>Instance ids that stay shutting-down: EC2 takes longer to end them than phase 7 waits.</summary>
    public HashSet<string> SlowToTerminate { get; } = [];
    /// <summary>Every instance refuses termination, ids not known in advance (they share a counter with groups).</summary>
    public bool RefuseEveryTermination { get; set; }
    public HashSet<string> Profiles { get; } = [];
    public Dictionary<string, (string Id, IReadOnlyDictionary<string, string> Tags, List<string> Ingress)> Groups { get; } = [];
    public Dictionary<string, (InstanceState State, InstanceSpec Spec)> Instances { get; } = [];
    public Dictionary<string, (ClusterState State, ClusterSpec Spec, int Looks)> Clusters { get; } = [];
    /// <summary>Redshift's scheduled actions by name; a one-time one stays listed after its time, as on AWS.</summary>
    public Dictionary<string, PauseSchedule> PauseSchedules { get; } = [];
    /// <summary>What CreateScheduledAction fails with (a denied action, an endpoint without the scheduler); null makes it.</summary>
    public AwsException? ScheduleFailure { get; set; }
    /// <summary>Refusals the next CreateScheduledAction calls answer, one each, before any other.</summary>
    public Queue<Exception> ScheduleRefusals { get; } = new();
    public List<string> Sql { get; } = [];
    public List<string> Commands { get; } = [];

    /// <summary>Resources only the tags know of (spot requests, volumes), as a crash might leave them.</summary>
    public List<TaggedResource> TagOnly { get; } = [];

    private readonly Dictionary<string, int> _violations = [];

    /// <summary>What lingered (network interfaces) is gone: groups may be deleted from now on.</summary>
    public void ReleaseDependencies()
    {
        DependencyViolationsPerGroup = 0;
        _violations.Clear();
    }

    /// <summary>Regions whose opening is refused, as a region the account cannot use is; every other region is this account.</summary>
    public HashSet<string> RefusedRegions { get; } = [];

    public IAwsCloud Open(string region)
    {
        if (RefusedRegions.Contains(region))
            throw new AwsConfigurationException($"Region {region} is not enabled for this account: enable it, or choose another region.");
        Region = region;
        return this;
    }

    private void Call(string what) => Calls.Enqueue(what);

    private async Task CreatingAsync(string kind, string name)
    {
        Call($"create {kind} {name}");
        if (BeforeCreate is { } hook) await hook(kind, name);
    }

    public static AwsException Error(string action, string code, string message = "", HttpStatusCode status = HttpStatusCode.BadRequest) =>
        new(action, code, message, status);

    public const string Account = "123456789012";

    public Task<AwsIdentity> WhoAmIAsync(CancellationToken ct) =>
        IdentityFailure is { } failure ? Task.FromException<AwsIdentity>(failure) : Task.FromResult(new AwsIdentity(Account, $"arn:aws:iam::{Account}:user/researcher", "AIDA"));

    /// <summary>The bucket's name, when the call names this account as its owner; S3's refusal otherwise.</summary>
    private static string Own(AccountBucket bucket, string action) =>
        bucket.Account == Account ? bucket.Name : throw new AwsException(action, "AccessDenied", "Access Denied", HttpStatusCode.Forbidden);

    public async Task<IReadOnlyList<string>> EnsureBucketAsync(AccountBucket owned, bool inAccountNamespace, IReadOnlyDictionary<string, string> tags, CancellationToken ct)
    {
        var bucket = owned.Name;
        if (!Buckets.ContainsKey(bucket))
        {
            // S3's answer to a name another account holds in the global namespace; none can hold one in ours.
            if (!inAccountNamespace && HeldByAnotherAccount(bucket))
                throw new AwsException("s3:CreateBucket", "BucketAlreadyExists", "The requested bucket name is not available.", System.Net.HttpStatusCode.Conflict);
            await CreatingAsync(AwsResourceKinds.Bucket, bucket);
            if (inAccountNamespace) BucketsInAccountNamespace.Add(bucket);
        }
        Own(owned, "s3:PutBucketTagging");
        Buckets[bucket] = tags;
        Directory.CreateDirectory(Path.Combine(objectsRoot, bucket));
        return [];
    }

    public Task<bool> OwnsBucketAsync(string bucket, CancellationToken ct) => Task.FromResult(Buckets.ContainsKey(bucket));

    public async Task UploadAsync(AccountBucket bucket, string key, Stream content, CancellationToken ct)
    {
        Call($"upload {key}");
        var path = Path.Combine(objectsRoot, Own(bucket, "s3:PutObject"), key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var file = File.Create(path);
        await content.CopyToAsync(file, ct);
    }

    public string PresignGet(AccountBucket bucket, string key, TimeSpan validFor) => $"https://{bucket.Name}.s3.example/{key}?X-Amz-Expires={(int)validFor.TotalSeconds}";

    public IObjectStore Objects(AccountBucket bucket, string prefix) => new LocalFolderObjectStore(Path.Combine(objectsRoot, Own(bucket, "s3:ListBucket"), prefix));

    public Task DeleteBucketAsync(AccountBucket owned, CancellationToken ct)
    {
        var bucket = Own(owned, "s3:DeleteBucket");
        Call($"delete bucket {bucket}");
        Buckets.Remove(bucket);
        var path = Path.Combine(objectsRoot, bucket);
        if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        return Task.CompletedTask;
    }

    public async Task PutSecretAsync(string name, string value, IReadOnlyDictionary<string, string> tags, CancellationToken ct)
    {
        if (Secrets.ContainsKey(name)) return;
        await CreatingAsync(AwsResourceKinds.Parameter, name);
        Secrets[name] = (value, tags);
    }

    public Task<string?> GetSecretAsync(string name, CancellationToken ct) => Task.FromResult(Secrets.TryGetValue(name, out var s) ? s.Value : null);

    public Task DeleteSecretAsync(string name, CancellationToken ct)
    {
        Call($"delete parameter {name}");
        Secrets.Remove(name);
        return Task.CompletedTask;
    }

    public Task<IamRole?> FindRoleAsync(string name, CancellationToken ct)
    {
        Call($"get role {name}");
        return Task.FromResult(Roles.TryGetValue(name, out var arn) ? new IamRole(arn, RoleBoundaries.GetValueOrDefault(name)) : null);
    }

    public Task<bool> InstanceProfileReadyAsync(string name, CancellationToken ct) => Task.FromResult(Profiles.Contains(name));

    public Task<string> EnsureRoleAsync(RoleSpec spec, string account, CancellationToken ct)
    {
        Call($"ensure role {spec.Name}");
        if (RoleFailure is { } failure) return Task.FromException<string>(failure);
        // IAM refuses a boundary that is not there.
        if (RoleBoundaryState == RoleBoundaryState.Missing)
            return Task.FromException<string>(new AwsException("iam:CreateRole", "NoSuchEntity", $"Scope ARN: {RoleBoundary.ArnIn(account)} does not exist or is not attachable.", HttpStatusCode.NotFound));
        var arn = Roles[spec.Name] = $"arn:aws:iam::{account}:role{spec.Path}{spec.Name}";
        RoleSpecs[spec.Name] = spec;
        RoleBoundaries[spec.Name] = RoleBoundary.ArnIn(account);
        if (spec.WithInstanceProfile) Profiles.Add(spec.Name);
        return Task.FromResult(arn);
    }

    /// <summary>The boundary each role was given.</summary>
    public Dictionary<string, string> RoleBoundaries { get; } = [];

    /// <summary>What the account's role boundary is (an administrator's doing; the panel only reads it).</summary>
    public RoleBoundaryState RoleBoundaryState { get; set; } = RoleBoundaryState.Current;

    public Task<RoleBoundaryState> RoleBoundaryAsync(string account, CancellationToken ct)
    {
        Call("read the role boundary");
        return Task.FromResult(RoleBoundaryState);
    }

    public Task DeleteRoleAsync(string name, CancellationToken ct)
    {
        Call($"delete role {name}");
        Roles.Remove(name);
        RoleSpecs.Remove(name);
        Profiles.Remove(name);
        return Task.CompletedTask;
    }

    /// <summary>What the checklist last asked IAM's policy simulator.</summary>
    public IReadOnlyList<PermissionProbe> SimulatedProbes { get; private set; } = [];

    /// <summary>Whom the simulator was asked about, each time.</summary>
    public ConcurrentQueue<string> SimulatedPrincipals { get; } = new();

    public Task<IReadOnlyList<DeniedAction>> DeniedActionsAsync(string principalArn, IReadOnlyList<PermissionProbe> probes, CancellationToken ct)
    {
        SimulatedPrincipals.Enqueue(principalArn);
        SimulatedProbes = probes;
        return Task.FromResult<IReadOnlyList<DeniedAction>>(Denied.Where(d => probes.Any(p => p.Actions.Contains(d.Action))).ToList());
    }

    public Task<string?> BucketRegionAsync(string bucket, CancellationToken ct) =>
        Task.FromResult<string?>(Lake?.Bucket == bucket ? LakeBucketRegion : Buckets.ContainsKey(bucket) ? Region : null);

    /// <summary>Whether the data lake's bucket holds its files (null: S3 denies listing it).</summary>
    public bool? LakeHasFiles { get; set; } = true;

    public Task<bool?> HasObjectsAsync(string bucket, string prefix, CancellationToken ct) =>
        Task.FromResult(Lake?.Bucket == bucket ? LakeHasFiles : Directory.Exists(Path.Combine(objectsRoot, bucket, prefix)));

    public Task<long?> ObjectSizeAsync(AccountBucket bucket, string key, CancellationToken ct)
    {
        var path = Path.Combine(objectsRoot, Own(bucket, "s3:GetObject"), key);
        return Task.FromResult<long?>(File.Exists(path) ? new FileInfo(path).Length : null);
    }

    public Task<string> DefaultVpcAsync(CancellationToken ct) => Task.FromResult("vpc-default");

    public static readonly IReadOnlyList<string> Zones = ["us-east-2a", "us-east-2b", "us-east-2c"];

    /// <summary>The region's VPC Block Public Access, as EC2 would answer it; off, as on an account that never turned it on.</summary>
    public VpcPublicAccessBlock PublicAccessBlock { get; set; } = new("off", true, []);
    public Exception? PublicAccessBlockFailure { get; set; }

    public Task<VpcPublicAccessBlock> VpcPublicAccessBlockAsync(CancellationToken ct) =>
        PublicAccessBlockFailure is { } failure ? Task.FromException<VpcPublicAccessBlock>(failure) : Task.FromResult(PublicAccessBlock);

    public Task<IReadOnlyList<DefaultSubnet>> DefaultSubnetsAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<DefaultSubnet>>([.. Zones.Select((zone, i) => new DefaultSubnet($"subnet-{i}", zone, AssignsPublicAddress(zone)))]);

    private bool AssignsPublicAddress(string? zone) => SubnetsAssignPublicAddresses || zone is not null && Zones.ToList().IndexOf(zone) is >= 0 and var i && i < SubnetsAssigningAnyway;

    /// <summary>With <see cref="SubnetsAssignPublicAddresses"/> off, how many of the three default subnets still assign one (the first ones).</summary>
    public int SubnetsAssigningAnyway { get; set; }

    public Task<string?> FindSecurityGroupAsync(string name, string vpcId, CancellationToken ct) =>
        Task.FromResult(Groups.TryGetValue(name, out var g) && !Lags(_unnamedLooks, name) ? g.Id : null);

    public async Task<string> CreateSecurityGroupAsync(string name, string description, string vpcId, IReadOnlyDictionary<string, string> tags, CancellationToken ct)
    {
        await CreatingAsync(AwsResourceKinds.SecurityGroup, name);
        var id = $"sg-{Interlocked.Increment(ref _ids):x8}";
        Groups[name] = (id, tags, []);
        foreach (var (action, calls) in NewGroupUnknownTo) _unknownGroupCalls[(id, action)] = calls;
        _unnamedLooks[name] = NewGroupUnnamedLooks;
        return id;
    }

    /// <summary>
    /// By action ("ec2:AuthorizeSecurityGroupIngress", "ec2:RunInstances", "redshift:CreateCluster"): how many of its calls
    /// naming a new group by its id are refused as not finding it, as they may be for a few seconds after CreateSecurityGroup
    /// (EC2's InvalidGroup.NotFound; Redshift's InvalidParameterValue); int.MaxValue: every one.
    /// </summary>
    public Dictionary<string, int> NewGroupUnknownTo { get; } = [];
    private readonly ConcurrentDictionary<(string Group, string Action), int> _unknownGroupCalls = new();

    private void FailIfGroupUnknownYet(string action, string groupId)
    {
        if (!Lags(_unknownGroupCalls, (groupId, action))) return;
        throw Error(action, "InvalidGroup.NotFound", $"The security group '{groupId}' does not exist");
    }

    /// <summary>How many looks by its name (DescribeSecurityGroups' group-name filter) miss a new group; int.MaxValue: every one.</summary>
    public int NewGroupUnnamedLooks { get; set; }
    private readonly ConcurrentDictionary<string, int> _unnamedLooks = new();

    /// <summary>Whether EC2 does not see <paramref name="key"/> yet, counting this call down.</summary>
    private static bool Lags<TKey>(ConcurrentDictionary<TKey, int> left, TKey key) where TKey : notnull
    {
        var calls = left.GetValueOrDefault(key);
        if (calls <= 0) return false;
        if (calls != int.MaxValue) left[key] = calls - 1;
        return true;
    }

    public Task AllowIngressAsync(string groupId, int port, string cidr, string description, CancellationToken ct)
    {
        FailIfGroupUnknownYet("ec2:AuthorizeSecurityGroupIngress", groupId);
        var rule = $"{port} from {cidr}";
        var group = Groups.Values.Single(g => g.Id == groupId);
        // As in EC2, a rule that is there already keeps its description.
        if (!group.Ingress.Contains(rule))
        {
            group.Ingress.Add(rule);
            RuleDescriptions[(groupId, rule)] = description;
        }
        return Task.CompletedTask;
    }

    public Task RevokeIngressAsync(string groupId, int port, string cidr, CancellationToken ct)
    {
        Call($"close port {port} of {groupId} to {cidr}");
        Groups.Values.Single(g => g.Id == groupId).Ingress.Remove($"{port} from {cidr}");
        return Task.CompletedTask;
    }

    /// <summary>Each port rule's description, by group id and rule ("8080 from 203.0.113.7/32").</summary>
    public Dictionary<(string GroupId, string Rule), string> RuleDescriptions { get; } = [];

    public Task<GroupIngress?> IngressAsync(string groupName, int port, CancellationToken ct) =>
        Task.FromResult(Groups.TryGetValue(groupName, out var group) && !Lags(_unnamedLooks, groupName)
            ? new GroupIngress(group.Id, [.. group.Ingress.Where(r => r.StartsWith($"{port} from ", StringComparison.Ordinal))
                .Select(r => new AdmittedRange(r[$"{port} from ".Length..], RuleDescriptions.GetValueOrDefault((group.Id, r))))])
            : null);

    public Task DeleteSecurityGroupAsync(string groupId, CancellationToken ct)
    {
        Call($"delete group {groupId}");
        var (name, group) = Groups.Single(g => g.Value.Id == groupId);
        // As in EC2: in use while an instance or cluster in it is alive or another group's rule names it, then a
        // little longer (network interfaces drain).
        if (Instances.Values.Any(i => i.Spec.SecurityGroupId == groupId && i.State.State != "terminated") ||
            Clusters.Values.Any(c => c.Spec.SecurityGroupId == groupId) ||
            Groups.Values.Any(g => g.Id != groupId && g.Ingress.Any(rule => rule.EndsWith($"from {groupId}", StringComparison.Ordinal))))
            throw Error("ec2:DeleteSecurityGroup", "DependencyViolation", $"resource {groupId} has a dependent object");
        var left = _violations.GetValueOrDefault(groupId, DependencyViolationsPerGroup);
        if (left > 0)
        {
            _violations[groupId] = left - 1;
            throw Error("ec2:DeleteSecurityGroup", "DependencyViolation", $"resource {groupId} has a dependent object");
        }
        Groups.Remove(name);
        return Task.CompletedTask;
    }

    public Task<string> UbuntuImageAsync(CancellationToken ct) => Task.FromResult("ami-0ubuntu2404");

    public async Task<InstanceState> RunSpotInstanceAsync(InstanceSpec spec, CancellationToken ct)
    {
        InstancesUnlistedUntilLaunch = false;
        // EC2's idempotency guide: the same token with other parameters (the zone aside) is a mismatch.
        if (Instances.TryGetValue(spec.ClientToken, out var existing))
            return existing.Spec.InstanceType == spec.InstanceType ? existing.State
                : throw Error("ec2:RunInstances", "IdempotentParameterMismatch", $"Arguments on this idempotent request are inconsistent with arguments used in previous request(s) with client token {spec.ClientToken}.");
        RunInstancesAsked++;
        FailIfGroupUnknownYet("ec2:RunInstances", spec.SecurityGroupId);
        if (RunInstancesFailure is { } failure)
        {
            if (RunInstancesFailureTimes is { } times && (RunInstancesFailureTimes = times - 1) == 0) RunInstancesFailure = null;
            throw failure;
        }
        var zone = spec.AvailabilityZone ?? ZoneEc2Picks;
        Call($"run-instances {spec.InstanceType} in {spec.AvailabilityZone ?? "a zone EC2 picks"}");
        if (RunInstancesFailureIn.TryGetValue(zone, out var refusal) || RunInstancesFailureFor.TryGetValue(spec.InstanceType, out refusal)) throw refusal;
        await CreatingAsync(AwsResourceKinds.Instance, spec.ClientToken);
        var state = new InstanceState($"i-{Interlocked.Increment(ref _ids):x8}", "pending", null, $"sir-{_ids:x8}", "active", null)
        {
            LaunchedAt = DateTimeOffset.UtcNow, AvailabilityZone = zone, ClientToken = spec.ClientToken, InstanceType = spec.InstanceType,
        };
        Instances[spec.ClientToken] = (state, spec);
        _unlistedLooks[state.InstanceId] = NewInstanceUnlistedLooks;
        return state;
    }

    /// <summary>
    /// How many DescribeInstances looks after its launch leave a new instance out, as EC2 may for a while after
    /// RunInstances (its API is eventually consistent); int.MaxValue: never listed.
    /// </summary>
    public int NewInstanceUnlistedLooks { get; set; }
    private readonly ConcurrentDictionary<string, int> _unlistedLooks = new();

    /// <summary>EC2 catches up: every instance launched so far is listed from now on.</summary>
    public void ListEveryInstance() => _unlistedLooks.Clear();

    /// <summary>DescribeInstances lists none until the next RunInstances, as EC2 may for a few seconds after a launch.</summary>
    public bool InstancesUnlistedUntilLaunch { get; set; }

    public Task<IReadOnlyList<InstanceState>> FindInstancesAsync(Guid deploymentId, CancellationToken ct)
    {
        FailThisLookIfAsked();
        if (InstancesUnlistedUntilLaunch) return Task.FromResult<IReadOnlyList<InstanceState>>([]);
        var found = new List<InstanceState>();
        // Newest first, as EC2 is asked to answer (AwsCloud sorts by launch time).
        foreach (var (token, (state, spec)) in Instances.Where(i => i.Value.Spec.Tags.GetValueOrDefault(ResourceTags.DeploymentKey) == deploymentId.ToString())
                     .OrderByDescending(i => i.Value.State.LaunchedAt).ToList())
        {
            if (Lags(_unlistedLooks, state.InstanceId)) continue;
            // Each look moves it on, as EC2 would: pending → running (with an address); shutting-down → terminated.
            var next = state.State switch
            {
                "pending" => state with { State = "running", PublicIp = AssignsPublicAddress(state.AvailabilityZone) && PublicAddressLag == 0 ? "198.51.100.7" : null },
                "running" when state.PublicIp is null && AssignsPublicAddress(state.AvailabilityZone) && ++_looksWithoutAddress >= PublicAddressLag => state with { PublicIp = "198.51.100.7" },
                "shutting-down" when SlowToTerminate.Contains(state.InstanceId) => state,
                "shutting-down" => state with { State = "terminated", PublicIp = null, SpotState = "closed" },
                _ => state,
            };
            Instances[token] = (next, spec);
            found.Add(state);
        }
        return Task.FromResult<IReadOnlyList<InstanceState>>(found);
    }

    /// <summary>False: the default subnets do not assign public IPv4 addresses (MapPublicIpOnLaunch off), so instances run without one.</summary>
    public bool SubnetsAssignPublicAddresses { get; set; } = true;

    /// <summary>How many looks at a running instance EC2 shows it without the public address its subnet assigns (0: none).</summary>
    public int PublicAddressLag { get; set; }

    private int _looksWithoutAddress;

    public Task<string?> ConsoleOutputAsync(string instanceId, CancellationToken ct) => Task.FromResult(ConsoleOutput);

    public Task TerminateInstanceAsync(string instanceId, CancellationToken ct)
    {
        Call($"terminate {instanceId}");
        if (RefuseEveryTermination || Unterminatable.Contains(instanceId))
            return Task.FromException(Error("ec2:TerminateInstances", "OperationNotPermitted", $"The instance '{instanceId}' may not be terminated."));
        var (token, found) = Instances.Single(i => i.Value.State.InstanceId == instanceId);
        Instances[token] = (found.State with { State = "shutting-down" }, found.Spec);
        return Task.CompletedTask;
    }

    public Task CancelSpotRequestAsync(string requestId, CancellationToken ct)
    {
        Call($"cancel spot {requestId}");
        TagOnly.RemoveAll(t => t.Locator == requestId);
        return Task.CompletedTask;
    }

    public Task DeleteVolumeAsync(string volumeId, CancellationToken ct)
    {
        Call($"delete volume {volumeId}");
        TagOnly.RemoveAll(t => t.Locator == volumeId);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ZoneSpotPrice>> SpotPricesAsync(string instanceType, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<ZoneSpotPrice>>([.. SpotPricesOf.GetValueOrDefault(instanceType, SpotPrices)
            .Select(p => new ZoneSpotPrice(p.Key, p.Value)).OrderBy(p => p.PerHour).ThenBy(p => p.AvailabilityZone, StringComparer.Ordinal)]);

    /// <summary>The zone's spot price changes, as DescribeSpotPriceHistory lists them.</summary>
    public List<Cord19.Core.Costs.PricePoint> SpotHistory { get; } = [];
    /// <summary>A zone's own history, where a test needs zones to differ; others answer <see cref="SpotHistory"/>.</summary>
    public Dictionary<string, List<Cord19.Core.Costs.PricePoint>> SpotHistoryIn { get; } = [];

    public Task<IReadOnlyList<Cord19.Core.Costs.PricePoint>> SpotPriceHistoryAsync(string instanceType, string availabilityZone, DateTime since, CancellationToken ct)
    {
        Call($"spot price history {instanceType} {availabilityZone}");
        return Task.FromResult<IReadOnlyList<Cord19.Core.Costs.PricePoint>>(SpotHistoryIn.GetValueOrDefault(availabilityZone, SpotHistory).OrderBy(p => p.From).ToList());
    }
    public Exception? QuotaFailure { get; set; }
    public Task<double?> SpotVcpuQuotaAsync(CancellationToken ct) => QuotaFailure is { } failure ? Task.FromException<double?>(failure) : Task.FromResult(SpotQuota);
    /// <summary>The deployment tag's state in AWS's bill; null when Cost Explorer has not seen it.</summary>
    public CostAllocationTagState? CostAllocationTag { get; set; } = CostAllocationTagState.Active;
    /// <summary>What Cost Explorer answers for any tag and days.</summary>
    public List<BilledService> Bill { get; } = [];
    public Exception? BillFailure { get; set; }

    public Task<CostAllocationTagState?> CostAllocationTagAsync(string key, CancellationToken ct)
    {
        Call($"cost allocation tag {key}");
        return Task.FromResult(CostAllocationTag);
    }

    public Task<IReadOnlyList<BilledService>> BilledAsync(string key, string value, DateOnly from, DateOnly until, CancellationToken ct)
    {
        Call($"bill {key}={value} {from:yyyy-MM-dd}..{until:yyyy-MM-dd}");
        return BillFailure is { } failure ? Task.FromException<IReadOnlyList<BilledService>>(failure) : Task.FromResult<IReadOnlyList<BilledService>>([.. Bill]);
    }

    /// <summary>AWS's Price List: each rate with its service code; its attributes include regionCode, as AWS's do.</summary>
    public List<(string ServiceCode, ListedPrice Rate)> PriceList { get; } = [];
    public Exception? PriceListFailure { get; set; }

    /// <summary>
    /// The Price List's filters as its API reference defines them: TERM_MATCH an attribute's whole value (the product
    /// family is one), CONTAINS a part of it.
    /// </summary>
    public Task<IReadOnlyList<ListedPrice>> ListedPricesAsync(string serviceCode, IReadOnlyList<PriceFilter> filters, CancellationToken ct)
    {
        Call($"price list {serviceCode} {string.Join(" ", filters.Select(f => $"{f.Field}={f.Value}"))}");
        if (PriceListFailure is { } failure) return Task.FromException<IReadOnlyList<ListedPrice>>(failure);
        return Task.FromResult<IReadOnlyList<ListedPrice>>([.. PriceList.Where(p => p.ServiceCode == serviceCode && filters.All(f => Matches(p.Rate, f))).Select(p => p.Rate)]);

        static bool Matches(ListedPrice rate, PriceFilter filter) =>
            (filter.Field == "productFamily" ? rate.ProductFamily : rate.Attributes.GetValueOrDefault(filter.Field)) is { } value && filter.Type switch
            {
                "TERM_MATCH" => string.Equals(value, filter.Value, StringComparison.OrdinalIgnoreCase),
                "CONTAINS" => value.Contains(filter.Value, StringComparison.OrdinalIgnoreCase),
                _ => throw new NotSupportedException(filter.Type),
            };
    }

    /// <summary>Spot instances of the account that are none of the panel's deployments' (another project's, say).</summary>
    public List<RunningSpotInstance> OtherSpotInstances { get; } = [];

    public Task<IReadOnlyList<RunningSpotInstance>> RunningSpotInstancesAsync(CancellationToken ct)
    {
        Call("running spot instances");
        return Task.FromResult<IReadOnlyList<RunningSpotInstance>>([.. OtherSpotInstances,
            .. Instances.Values.Where(i => i.State.State is "pending" or "running")
                .Select(i => new RunningSpotInstance(i.State.InstanceId, i.State.InstanceType ?? i.Spec.InstanceType,
                    Guid.TryParse(i.Spec.Tags.GetValueOrDefault(ResourceTags.DeploymentKey), out var deployment) ? deployment : null))]);
    }
    /// <summary>What DescribeInstanceTypes answers for any type (an m5.xlarge's figures); null for a type EC2 does not know.</summary>
    public InstanceTypeFacts? InstanceType { get; set; } = new("m5.xlarge", 4, 16384, ["x86_64"], OfferedAsSpot: true);
    /// <summary>A type's own answer, where a test needs types to differ (null: EC2 does not know it).</summary>
    public Dictionary<string, InstanceTypeFacts?> InstanceTypeOf { get; } = [];

    public Task<InstanceTypeFacts?> InstanceTypeAsync(string instanceType, CancellationToken ct) =>
        Task.FromResult(InstanceTypeOf.TryGetValue(instanceType, out var own) ? own : InstanceType is { } facts ? facts with { Name = instanceType } : null);
    public Task<bool> CommandAgentOnlineAsync(string instanceId, CancellationToken ct) => Task.FromResult(true);

    public Task<string> RunCommandAsync(string instanceId, IReadOnlyList<string> shellLines, RunCommandLimits limits, CancellationToken ct)
    {
        Commands.Add(string.Join("\n", shellLines));
        CommandLimits.Add(limits);
        return Task.FromResult($"cmd-{Commands.Count}");
    }

    /// <summary>The limits each sent script was given, in <see cref="Commands"/>' order.</summary>
    public List<RunCommandLimits> CommandLimits { get; } = [];

    /// <summary>What SSM answers of a command, asked at each look: by default, done.</summary>
    public Func<CommandState> CommandAnswer { get; set; } = () => new CommandState("Success", "cord19: pipeline program runs", "");

    public Task<CommandState> GetCommandAsync(string commandId, string instanceId, CancellationToken ct) => Task.FromResult(CommandAnswer());

    public async Task CreateClusterAsync(ClusterSpec spec, CancellationToken ct)
    {
        if (Clusters.ContainsKey(spec.Identifier)) return;
        if (CreateClusterRefusals.TryDequeue(out var refusal)) throw refusal;
        if (Lags(_unknownGroupCalls, (spec.SecurityGroupId, "redshift:CreateCluster")))
            throw Error("redshift:CreateCluster", "InvalidParameterValue", $"VPC Security group {spec.SecurityGroupId} does not exist in VPC vpc-default");
        if (RolePropagationFailures > 0)
        {
            RolePropagationFailures--;
            throw Error("redshift:CreateCluster", "InvalidParameterValue", "The IAM role must delegate access to an Amazon Redshift account.");
        }
        if (CreateClusterFailure is { } failure) throw failure;
        await CreatingAsync(AwsResourceKinds.Cluster, spec.Identifier);
        Clusters[spec.Identifier] = (new ClusterState(spec.Identifier, "creating", null, null), spec, 0);
    }

    /// <summary>
    /// Thrown by the next look at instances, a cluster or tagged resources, then cleared: a failure that is not AWS's
    /// answer (a timeout, say), which the panel's background looks must survive.
    /// </summary>
    public Exception? NextLookFailure { get; set; }

    private void FailThisLookIfAsked()
    {
        if (NextLookFailure is not { } failure) return;
        NextLookFailure = null;
        throw failure;
    }

    /// <summary>How many looks a new cluster stays "creating" for; int.MaxValue: it never becomes available.</summary>
    public int ClusterCreatingLooks { get; set; } = 1;

    private static ClusterState Available(ClusterState state) =>
        state with { Status = "available", Address = $"{state.Identifier}.example.redshift.amazonaws.com", Port = 5439 };

    public Task<ClusterState?> FindClusterAsync(string identifier, CancellationToken ct)
    {
        FailThisLookIfAsked();
        if (!Clusters.TryGetValue(identifier, out var found)) return Task.FromResult<ClusterState?>(null);
        var looks = found.Looks + 1;
        if (found.State.Status == "deleting" && looks > 1)
        {
            Clusters.Remove(identifier);
            return Task.FromResult<ClusterState?>(null);
        }
        var state = found.State.Status switch
        {
            "creating" when looks > ClusterCreatingLooks => Available(found.State),
            "resuming" when looks > 1 => Available(found.State),
            "pausing" when looks > 1 => found.State with { Status = "paused" },
            _ => found.State,
        };
        Clusters[identifier] = (state, found.Spec, looks);
        return Task.FromResult<ClusterState?>(state);
    }

    public Task DeleteClusterAsync(string identifier, CancellationToken ct)
    {
        Call($"delete cluster {identifier}");
        if (DeleteClusterFailure is { } failure) return Task.FromException(failure);
        if (InvalidClusterStateFailures > 0)
        {
            InvalidClusterStateFailures--;
            return Task.FromException(Error("redshift:DeleteCluster", "InvalidClusterState", $"There is an operation running on the Cluster {identifier}. Please try to delete it at a later time."));
        }
        if (Clusters.TryGetValue(identifier, out var found))
            Clusters[identifier] = (found.State with { Status = "deleting" }, found.Spec, 0);
        return Task.CompletedTask;
    }

    /// <summary>Manual snapshots, by identifier: the console's final snapshot of a cluster it deleted, or one taken by hand.</summary>
    public Dictionary<string, ClusterSnapshot> Snapshots { get; } = [];
    /// <summary>How many DeleteClusterSnapshot calls Redshift refuses while the snapshot is still being taken.</summary>
    public int InvalidSnapshotStateFailures { get; set; }
    public Exception? SnapshotListingFailure { get; set; }

    /// <summary>The Redshift console's deletion, which keeps a final snapshot unless told not to: the cluster goes, the snapshot stays.</summary>
    public ClusterSnapshot DeleteClusterKeepingFinalSnapshot(string identifier, string snapshot, DateTimeOffset takenAt)
    {
        Clusters.Remove(identifier);
        return Snapshots[snapshot] = new ClusterSnapshot(snapshot, identifier, "available", takenAt);
    }

    public Task<IReadOnlyList<ClusterSnapshot>> ManualSnapshotsAsync(string? cluster, CancellationToken ct) =>
        SnapshotListingFailure is { } failure
            ? Task.FromException<IReadOnlyList<ClusterSnapshot>>(failure)
            : Task.FromResult<IReadOnlyList<ClusterSnapshot>>(
                [.. Snapshots.Values.Where(s => cluster is null ? ResourceTags.IsName(s.Cluster) : s.Cluster == cluster)]);

    public Task DeleteSnapshotAsync(string cluster, string snapshot, CancellationToken ct)
    {
        Call($"delete snapshot {snapshot} of {cluster}");
        if (InvalidSnapshotStateFailures > 0)
        {
            InvalidSnapshotStateFailures--;
            return Task.FromException(Error("redshift:DeleteClusterSnapshot", "InvalidClusterSnapshotState", $"Cannot delete the snapshot {snapshot} while it is being created."));
        }
        if (Snapshots.TryGetValue(snapshot, out var found) && found.Cluster == cluster) Snapshots.Remove(snapshot);
        return Task.CompletedTask;
    }

    /// <summary>What PauseCluster fails with, when set.</summary>
    public Exception? PauseClusterFailure { get; set; }

    public Task PauseClusterAsync(string identifier, CancellationToken ct)
    {
        Call($"pause cluster {identifier}");
        if (PauseClusterFailure is { } failure) return Task.FromException(failure);
        var found = Clusters[identifier];
        Clusters[identifier] = (found.State with { Status = "pausing" }, found.Spec, 0);
        return Task.CompletedTask;
    }

    public Task ResumeClusterAsync(string identifier, CancellationToken ct)
    {
        Call($"resume cluster {identifier}");
        if (ResumeClusterFailure is { } failure) return Task.FromException(failure);
        var found = Clusters[identifier];
        Clusters[identifier] = (found.State with { Status = "resuming" }, found.Spec, 0);
        return Task.CompletedTask;
    }

    public Task SchedulePauseAsync(PauseSchedule schedule, CancellationToken ct)
    {
        Call($"schedule pause {schedule.Name} of {schedule.Cluster}");
        if (ScheduleRefusals.TryDequeue(out var refusal)) return Task.FromException(refusal);
        if (ScheduleFailure is { } failure) return Task.FromException(failure);
        if (!Clusters.ContainsKey(schedule.Cluster))
            return Task.FromException(Error("redshift:CreateScheduledAction", "ClusterNotFound", $"Cluster {schedule.Cluster} not found."));
        if (!Roles.ContainsValue(schedule.RoleArn))
            return Task.FromException(Error("redshift:CreateScheduledAction", "InvalidScheduledAction", $"The IAM role {schedule.RoleArn} is not valid."));
        PauseSchedules[schedule.Name] = schedule;
        return Task.CompletedTask;
    }

    public Task DeletePauseScheduleAsync(string name, CancellationToken ct)
    {
        Call($"delete pause schedule {name}");
        PauseSchedules.Remove(name);
        return Task.CompletedTask;
    }

    public Task<bool> NodeTypeOrderableAsync(string nodeType, CancellationToken ct) => Task.FromResult(OrderableNodeTypes.Contains(nodeType));

    /// <summary>Holds the export's UNLOAD until set (or cancelled), as a long statement would; <see cref="UnloadReached"/> says it began.</summary>
    public TaskCompletionSource? UnloadHold { get; set; }
    public TaskCompletionSource UnloadReached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>What a statement fails with, as the Redshift Data API reports a failed statement; null runs it.</summary>
    public Func<string, AwsException?>? SqlFailure { get; set; }

    public async Task<SqlResult> RunSqlAsync(string cluster, string database, string user, string sql, CancellationToken ct)
    {
        Sql.Add(sql);
        if (SqlFailure?.Invoke(sql) is { } failure) throw failure;
        // The Data API runs statements on an available cluster only; phase 2 waits for that.
        if (Clusters.TryGetValue(cluster, out var target) && target.State.Status != "available")
            throw Error("redshift-data:ExecuteStatement", "ValidationException", $"Cluster {cluster} is {target.State.Status}, not available.");
        if (UnloadHold is { } hold && sql.StartsWith("unload", StringComparison.Ordinal))
        {
            UnloadReached.TrySetResult();
            await hold.Task.WaitAsync(ct);
        }
        // As Redshift's UNLOAD would: one gzip CSV with a header where the statement says (PARALLEL OFF names it 000.gz).
        if (System.Text.RegularExpressions.Regex.Match(sql, "to 's3://([^/]+)/([^']+)'") is { Success: true } unload && sql.StartsWith("unload", StringComparison.Ordinal))
        {
            var path = Path.Combine(objectsRoot, unload.Groups[1].Value, unload.Groups[2].Value + "000.gz");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await using var file = File.Create(path);
            await using var gzip = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.Fastest);
            await gzip.WriteAsync("cord_uid,title,abstract,publish_time\nabc123,A title,An abstract,2020-04-01\n"u8.ToArray(), ct);
            return new SqlResult(0, null);
        }
        return sql.StartsWith("select count(*)", StringComparison.Ordinal) ? new SqlResult(1, LakeRows.ToString()) : new SqlResult(0, null);
    }

    /// <summary>Glue's refusal of the lake's table (Lake Formation's, say), or null.</summary>
    public AwsException? LakeFailure { get; set; }

    public Task<LakeTable?> FindLakeTableAsync(string database, string table, CancellationToken ct) =>
        LakeFailure is { } failure ? Task.FromException<LakeTable?>(failure) : Task.FromResult(Lake);

    public Task<double?> CpuAsync(string metricNamespace, string dimension, string id, CancellationToken ct) => Task.FromResult<double?>(12.5);

    /// <summary>When the last CPU reading CloudWatch holds ends, by instance id or cluster (none unless a test sets one).</summary>
    public Dictionary<string, DateTimeOffset> CpuReportedUntil { get; } = [];

    /// <summary>What CloudWatch answers GetMetricStatistics with instead of readings, when set.</summary>
    public Exception? CpuReadingFailure { get; set; }

    public Task<DateTimeOffset?> CpuReportedUntilAsync(string metricNamespace, string dimension, string id, DateTimeOffset since, CancellationToken ct) =>
        CpuReadingFailure is { } failure
            ? Task.FromException<DateTimeOffset?>(failure)
            : Task.FromResult(KeptUnder(metricNamespace, dimension, id) && CpuReportedUntil.TryGetValue(id, out var at) && at >= since ? at : (DateTimeOffset?)null);

    /// <summary>CloudWatch keeps an instance's readings under AWS/EC2 by InstanceId, a cluster's under AWS/Redshift by ClusterIdentifier: asked otherwise, it has none.</summary>
    private static bool KeptUnder(string metricNamespace, string dimension, string id) =>
        (metricNamespace, dimension) == (id.StartsWith("i-", StringComparison.Ordinal) ? ("AWS/EC2", "InstanceId") : ("AWS/Redshift", "ClusterIdentifier"));

    /// <summary>When CPU readings begin, by cluster or instance id (none unless a test sets some): asked from a time, CloudWatch gives the first after it.</summary>
    public Dictionary<string, DateTimeOffset[]> CpuReportedFrom { get; } = [];

    public Task<DateTimeOffset?> CpuReportedFromAsync(string metricNamespace, string dimension, string id, DateTimeOffset since, CancellationToken ct) =>
        CpuReadingFailure is { } failure
            ? Task.FromException<DateTimeOffset?>(failure)
            : Task.FromResult(KeptUnder(metricNamespace, dimension, id) && CpuReportedFrom.TryGetValue(id, out var starts)
                ? starts.Where(at => at >= since).Order().Cast<DateTimeOffset?>().FirstOrDefault() : null);

    public Task<IReadOnlyList<TaggedResource>> FindTaggedAsync(Guid? deploymentId, CancellationToken ct)
    {
        FailThisLookIfAsked();
        static string? Of(IReadOnlyDictionary<string, string> tags) => tags.GetValueOrDefault(ResourceTags.DeploymentKey);
        var all = new List<TaggedResource>();
        all.AddRange(Instances.Where(i => i.Value.State.State != "terminated")
            .Select(i => new TaggedResource(AwsResourceKinds.Instance, i.Key, Of(i.Value.Spec.Tags), i.Value.State.State)));
        all.AddRange(Clusters.Select(c => new TaggedResource(AwsResourceKinds.Cluster, c.Key, Of(c.Value.Spec.Tags), c.Value.State.Status)));
        all.AddRange(Groups.Select(g => new TaggedResource(AwsResourceKinds.SecurityGroup, g.Key, Of(g.Value.Tags), g.Value.Id)));
        all.AddRange(Secrets.Select(s => new TaggedResource(AwsResourceKinds.Parameter, s.Key, Of(s.Value.Tags), "SecureString")));
        all.AddRange(Buckets.Select(b => new TaggedResource(AwsResourceKinds.Bucket, b.Key, Of(b.Value), "bucket")));
        all.AddRange(RoleSpecs.Values.Where(r => r.Path.Length > AwsCloud.RolePath.Length)
            .Select(r => new TaggedResource(AwsResourceKinds.Role, r.Name, r.Path[AwsCloud.RolePath.Length..].Trim('/'), "role")));
        all.AddRange(TagOnly);
        // As AwsCloud finds them: by their cluster's name, for the deployment asked for; none when the listing is denied.
        if (SnapshotListingFailure is { } failure and not Cord19.Core.Aws.AwsException { Kind: Cord19.Core.Aws.AwsErrorKind.Denied }) throw failure;
        if (SnapshotListingFailure is null) all.AddRange(Snapshots.Values.Where(s => deploymentId is { } owner ? s.Cluster == ResourceTags.Name(owner) : ResourceTags.IsName(s.Cluster))
            .Select(s => new TaggedResource(AwsResourceKinds.ClusterSnapshot, s.Locator, deploymentId?.ToString() ?? s.DeploymentId, s.Status, s.CreatedAt)));
        return Task.FromResult<IReadOnlyList<TaggedResource>>(deploymentId is { } id ? all.Where(r => r.DeploymentId == id.ToString()).ToList() : all);
    }
}
