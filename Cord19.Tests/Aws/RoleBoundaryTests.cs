using System.Text.Json;
using System.Text.RegularExpressions;
using Cord19.Core.Targets.Aws;

namespace Cord19.Tests.Aws;

/// <summary>
/// The role boundary (role-boundary.json): each of the panel's roles fits inside it, it grants nothing on IAM or STS and
/// nothing beyond the project's own resources and the data lake, and the checklist's line says what to do about it.
/// </summary>
public sealed class RoleBoundaryTests
{
    private sealed record Grant(string Effect, IReadOnlyList<string> Actions, IReadOnlyList<string> Resources);

    private static List<Grant> Grants(string document)
    {
        using var policy = JsonDocument.Parse(document);
        return [.. policy.RootElement.GetProperty("Statement").EnumerateArray().Select(s => new Grant(
            s.GetProperty("Effect").GetString()!, Strings(s.GetProperty("Action")), Strings(s.GetProperty("Resource"))))];
    }

    private static List<string> Strings(JsonElement e) =>
        e.ValueKind == JsonValueKind.Array ? [.. e.EnumerateArray().Select(a => a.GetString()!)] : [e.GetString()!];

    /// <summary>IAM's wildcard: "*" any run of characters.</summary>
    private static bool Matches(string pattern, string value) =>
        Regex.IsMatch(value, "^" + Regex.Escape(pattern).Replace(@"\*", ".*") + "$");

    /// <summary>The roles the panel creates: a deployment's instance role, and the shared Spectrum and scheduler roles.</summary>
    private static readonly RoleSpec[] PanelRoles =
    [
        AwsRoles.InstanceFor(new AwsNames(Guid.Parse("1a2b3c4d-0000-4000-8000-000000000000"), "123456789012", "us-east-2"), "us-east-2"),
        AwsRoles.SpectrumIn("123456789012"),
        AwsRoles.Scheduler,
    ];

    public static TheoryData<string> Roles() => new(PanelRoles.Select(r => r.Name));

    [Theory]
    [MemberData(nameof(Roles))]
    public void Every_role_the_panel_creates_is_allowed_all_its_policy_grants_by_the_boundary(string role)
    {
        var boundary = Grants(RoleBoundary.Json);
        var grants = Grants(PanelRoles.Single(r => r.Name == role).InlinePolicy);

        // Grants only (IAM refuses a policy whose Effect it does not know), on ARNs or on every resource.
        Assert.All(grants, g => Assert.Equal("Allow", g.Effect));
        Assert.All(grants.SelectMany(g => g.Resources), r => Assert.Matches(@"^(\*|arn:aws:[a-z0-9-]+:.+)$", r));
        var outside = grants
            .SelectMany(g => g.Actions.SelectMany(action => g.Resources.Select(resource => (action, resource))))
            .Where(p => !boundary.Any(b => b.Actions.Contains(p.action) && b.Resources.Any(r => Matches(r, p.resource))))
            .Select(p => $"{p.action} on {p.resource}");

        Assert.Empty(outside);
    }

    [Fact]
    public void The_boundary_allows_nothing_on_IAM_or_STS_and_on_every_resource_only_the_SSM_agent_and_reading_the_catalogue()
    {
        var grants = Grants(RoleBoundary.Json);

        Assert.All(grants, g => Assert.Equal("Allow", g.Effect));
        var actions = grants.SelectMany(g => g.Actions).ToList();
        Assert.DoesNotContain(actions, a => a.StartsWith("iam:", StringComparison.Ordinal) || a.StartsWith("sts:", StringComparison.Ordinal) || a.Contains('*'));
        var onEverything = grants.Where(g => g.Resources.Contains("*")).SelectMany(g => g.Actions).ToList();
        Assert.All(onEverything, a => Assert.True(AwsRoles.SsmAgentActions.Contains(a) || a.StartsWith("glue:Get", StringComparison.Ordinal) || a == "glue:BatchGetPartition", a));
        // Buckets: the project's and the public data lake only.
        Assert.All(grants.SelectMany(g => g.Resources).Where(r => r.StartsWith("arn:aws:s3:::", StringComparison.Ordinal)),
            r => Assert.Matches(@"^arn:aws:s3:::(cord19-\*|covid19-lake)(/.*)?$", r));
        // IAM's limit for a managed policy: 6,144 characters, white space not counted.
        Assert.InRange(RoleBoundary.Json.Count(c => !char.IsWhiteSpace(c)), 1, 6144);
    }

    [Fact]
    public void The_checklist_line_says_who_creates_or_updates_the_boundary_and_how()
    {
        var missing = RoleBoundary.Judge(RoleBoundaryState.Missing, "123456789012");
        Assert.Equal(CheckOutcome.Failed, missing.Outcome);
        Assert.Contains("arn:aws:iam::123456789012:policy/cord19/cord19-role-boundary does not exist", missing.Detail);
        Assert.Contains("aws iam create-policy --policy-name cord19-role-boundary --path /cord19/ --policy-document file://role-boundary.json", missing.Fix);
        Assert.Contains("GET /api/aws/role-boundary", missing.Fix);

        var differs = RoleBoundary.Judge(RoleBoundaryState.Differs, "123456789012");
        Assert.Equal(CheckOutcome.Warning, differs.Outcome);
        Assert.Contains("aws iam create-policy-version --policy-arn arn:aws:iam::123456789012:policy/cord19/cord19-role-boundary", differs.Fix);

        Assert.Equal(CheckOutcome.Passed, RoleBoundary.Judge(RoleBoundaryState.Current, "123456789012").Outcome);
    }

    [Fact]
    public void Two_documents_grant_the_same_whatever_their_order_Sids_or_one_item_lists()
    {
        const string mine = """{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::cord19-*/*"},{"Effect":"Allow","Action":"redshift:PauseCluster","Resource":"*"}]}""";
        const string same = """{"Statement":[{"Resource":["*"],"Effect":"Allow","Action":["redshift:PauseCluster"]},{"Action":["s3:PutObject","s3:GetObject"],"Effect":"Allow","Resource":["arn:aws:s3:::cord19-*/*"]}],"Version":"2012-10-17"}""";
        const string wider = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteBucket"],"Resource":"arn:aws:s3:::cord19-*/*"},{"Effect":"Allow","Action":"redshift:PauseCluster","Resource":"*"}]}""";

        Assert.True(PolicyDocument.SameGrants(mine, same));
        Assert.False(PolicyDocument.SameGrants(mine, wider));
        Assert.False(PolicyDocument.SameGrants(mine, "not a policy"));
        Assert.True(PolicyDocument.SameGrants(RoleBoundary.Json, RoleBoundary.Json));
    }
}
