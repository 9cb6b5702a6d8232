using System.Text.Json;
using System.Text.RegularExpressions;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support;

namespace Cord19.Tests.Aws;

/// <summary>
/// The policy the README asks operators to attach (operator-policy.json): every call the panel makes is in it, nothing that
/// deletes, changes, runs commands on or reads the secrets of resources is granted beyond the project's own, and the
/// checklist asks IAM's simulator about the project's resources, which the policy allows.
/// </summary>
public sealed class OperatorPolicyTests
{
    private static List<JsonElement> Statements()
    {
        using var policy = JsonDocument.Parse(OperatorPolicy.Json);
        return policy.RootElement.GetProperty("Statement").EnumerateArray().Select(s => s.Clone()).ToList();
    }

    private static List<string> Strings(JsonElement e) =>
        e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().Select(a => a.GetString()!).ToList() : [e.GetString()!];

    [Fact]
    public void The_operator_policy_is_valid_IAM_JSON_and_passes_roles_only_to_EC2_and_Redshift_and_its_scheduler()
    {
        using var policy = JsonDocument.Parse(OperatorPolicy.Json);
        var statements = policy.RootElement.GetProperty("Statement").EnumerateArray().ToList();
        Assert.All(statements, s => Assert.All(s.EnumerateObject(), p => Assert.Contains(p.Name, new[] { "Sid", "Effect", "Action", "Resource", "Condition" })));
        var pass = Assert.Single(statements, s => s.GetProperty("Action").ToString().Contains("iam:PassRole", StringComparison.Ordinal));
        Assert.Equal("arn:aws:iam::*:role/cord19/*", pass.GetProperty("Resource").GetString());
        Assert.Equal(["ec2.amazonaws.com", "redshift.amazonaws.com", "scheduler.redshift.amazonaws.com"],
            pass.GetProperty("Condition").GetProperty("StringEquals").GetProperty("iam:PassedToService").EnumerateArray().Select(e => e.GetString()));
        Assert.DoesNotContain(OperatorPolicy.Actions, a => a.EndsWith(":*", StringComparison.Ordinal) || a == "*");
        // IAM's limit for a customer managed policy: 6,144 characters, white space not counted.
        Assert.InRange(OperatorPolicy.Json.Count(c => !char.IsWhiteSpace(c)), 1, 6144);
    }

    [Fact]
    public void The_operator_policy_allows_every_action_the_panel_calls()
    {
        // Every action named in the code that talks to AWS: the SDK calls' names and the hand-signed client's operations.
        var root = Path.Combine(RunningApp.RepositoryRoot(), "Cord19.Core");
        var code = string.Join("\n", Directory.EnumerateFiles(root, "AwsCloud*.cs", SearchOption.AllDirectories).Select(File.ReadAllText));
        var prefixes = new Dictionary<string, string> { ["Iam"] = "iam", ["Redshift"] = "redshift", ["RedshiftData"] = "redshift-data", ["Glue"] = "glue", ["CloudWatch"] = "cloudwatch", ["ServiceQuotas"] = "servicequotas", ["Pricing"] = "pricing", ["CostExplorer"] = "ce" };
        var called = System.Text.RegularExpressions.Regex.Matches(code, "AwsCall\\.RunAsync\\(\"([a-z0-9-]+:[A-Za-z]+)\"").Select(m => m.Groups[1].Value)
            .Concat(System.Text.RegularExpressions.Regex.Matches(code, "AwsService\\.([A-Za-z]+), \"([A-Za-z]+)\"").Select(m => $"{prefixes[m.Groups[1].Value]}:{m.Groups[2].Value}"))
            .Distinct().ToList();
        Assert.True(called.Count > 40, $"found only {called.Count} calls; the pattern no longer matches the code");
        Assert.Empty(called.Except(OperatorPolicy.Actions));
    }

    [Fact]
    public void On_every_resource_and_without_a_condition_it_grants_only_reading_listing_creating_and_its_own_schedules()
    {
        var unbounded = Statements()
            .Where(s => Strings(s.GetProperty("Resource")).Contains("*") && !s.TryGetProperty("Condition", out _))
            .SelectMany(s => Strings(s.GetProperty("Action")))
            .Order(StringComparer.Ordinal)
            .ToList();

        // Deleting, pausing, tagging, opening a group, running a command, reading a parameter or a boot log, or getting
        // database credentials on any resource of the account would reach beyond the project's own: none of those is here.
        Assert.Equal(
        [
            // The account's bill, asked only by the project's tag: Cost Explorer has no resources to name.
            "ce:GetCostAndUsage", "ce:ListCostAllocationTags",
            "cloudwatch:GetMetricStatistics",
            "ec2:CreateSecurityGroup", "ec2:DescribeImages", "ec2:DescribeInstanceTypes", "ec2:DescribeInstances",
            "ec2:DescribeSecurityGroups", "ec2:DescribeSpotInstanceRequests", "ec2:DescribeSpotPriceHistory", "ec2:DescribeSubnets", "ec2:DescribeVolumes",
            "ec2:DescribeVpcBlockPublicAccessExclusions", "ec2:DescribeVpcBlockPublicAccessOptions", "ec2:DescribeVpcs", "ec2:RunInstances",
            "glue:GetDatabase", "glue:GetTable",
            "iam:ListRoles", "iam:SimulatePrincipalPolicy",
            // AWS's public prices: the Price List has no resources to name.
            "pricing:GetProducts",
            "redshift-data:DescribeStatement", "redshift-data:GetStatementResult",
            // Redshift's scheduled actions: whether they take a resource ARN is not settled from the documents here; the one
            // the panel creates runs as a role that may only pause the project's clusters.
            "redshift:CreateScheduledAction", "redshift:DeleteScheduledAction", "redshift:DescribeClusterSnapshots", "redshift:DescribeClusters",
            "redshift:DescribeOrderableClusterOptions",
            "s3:ListAllMyBuckets",
            "servicequotas:GetAWSDefaultServiceQuota", "servicequotas:GetServiceQuota",
            "ssm:DescribeInstanceInformation", "ssm:DescribeParameters", "ssm:GetCommandInvocation",
            "sts:GetCallerIdentity",
        ], unbounded);
    }

    [Fact]
    public void Tags_may_be_written_only_as_the_panel_creates_an_instance_or_a_group()
    {
        // Otherwise tagging someone else's instance cord19:project=cord19 would let the tag-conditioned statement end it.
        var tagging = Assert.Single(Statements(), s => Strings(s.GetProperty("Action")).Contains("ec2:CreateTags"));
        Assert.Equal(["RunInstances", "CreateSecurityGroup"],
            Strings(tagging.GetProperty("Condition").GetProperty("StringEquals").GetProperty("ec2:CreateAction")));
    }

    /// <summary>
    /// EC2 makes the spot service-linked role on an account's first spot launch, and Redshift its own on an account's first
    /// cluster, each as the caller: without these grants a new account's first phase 1 and 2 are refused. Only those two
    /// roles, each for its own service, may be made.
    /// </summary>
    [Theory]
    [InlineData("spot.amazonaws.com", "AWSServiceRoleForEC2Spot")]
    [InlineData("redshift.amazonaws.com", "AWSServiceRoleForRedshift")]
    public void Only_the_service_linked_roles_a_new_accounts_first_spot_launch_and_cluster_make_may_be_created(string service, string role)
    {
        var linked = Statements().Where(s => Strings(s.GetProperty("Action")).Contains("iam:CreateServiceLinkedRole")).ToList();
        Assert.Equal(2, linked.Count);
        var own = Assert.Single(linked, s => Strings(s.GetProperty("Condition").GetProperty("StringEquals").GetProperty("iam:AWSServiceName")).SequenceEqual([service]));
        Assert.Equal(["iam:CreateServiceLinkedRole"], Strings(own.GetProperty("Action")));
        Assert.Equal([$"arn:aws:iam::*:role/aws-service-role/{service}/{role}"], Strings(own.GetProperty("Resource")));
        Assert.Contains(OperatorPolicy.Probes("123456789012", "us-east-2"), p => p.Actions.SequenceEqual(["iam:CreateServiceLinkedRole"])
            && p.Resources.SequenceEqual([$"arn:aws:iam::123456789012:role/aws-service-role/{service}/{role}"])
            && p.Context["iam:AWSServiceName"] == service);
    }

    [Fact]
    public void The_checklist_asks_about_examples_of_each_statements_own_resources_with_each_value_its_conditions_allow()
    {
        var probes = OperatorPolicy.Probes("123456789012", "eu-central-1");
        var statements = Statements();

        // In the statements' order: one probe per combination of the values its conditions allow.
        var next = 0;
        foreach (var statement in statements)
        {
            var actions = Strings(statement.GetProperty("Action"));
            var patterns = Strings(statement.GetProperty("Resource"));
            var combinations = statement.TryGetProperty("Condition", out var tests)
                ? tests.EnumerateObject().SelectMany(test => test.Value.EnumerateObject()).Aggregate(1, (n, key) => n * Strings(key.Value).Count)
                : 1;
            var mine = probes.Skip(next).Take(combinations).ToList();
            next += combinations;
            foreach (var probe in mine)
            {
                Assert.Equal(actions, probe.Actions);
                // An example the statement's own pattern matches, in IAM's wildcard sense ("*" any run of characters).
                Assert.Equal(patterns.Count(p => p != "*"), probe.Resources.Count);
                Assert.All(probe.Resources, r => Assert.Contains(patterns, p => Regex.IsMatch(r, "^" + Regex.Escape(p).Replace(@"\*", ".*") + "$")));
                Assert.All(probe.Resources, r => Assert.DoesNotContain("*", r));
            }
            if (statement.TryGetProperty("Condition", out var condition))
                foreach (var key in condition.EnumerateObject().SelectMany(test => test.Value.EnumerateObject()))
                {
                    // An ARN pattern (the role boundary's) is asked about as the caller's own ARN, which it matches.
                    var allowed = Strings(key.Value).Select(v => v.StartsWith("arn:", StringComparison.Ordinal) ? v.Replace("::*:", "::123456789012:", StringComparison.Ordinal) : v);
                    Assert.Equal(allowed.Order(), mine.Select(p => p.Context[key.Name]).Order());
                }
        }
        Assert.Equal(next, probes.Count);

        Assert.Contains(probes, p => p.Actions.Contains("redshift:DeleteCluster") && p.Resources.SequenceEqual(["arn:aws:redshift:eu-central-1:123456789012:cluster:cord19-example"]));
        // Canonical's parameter and AWS's shell document are AWS's own: their ARNs name no account.
        Assert.Contains(probes, p => p.Resources.SequenceEqual(["arn:aws:ssm:eu-central-1::parameter/aws/service/canonical/example"]));
        Assert.Contains(probes, p => p.Resources.SequenceEqual(["arn:aws:ssm:eu-central-1::document/AWS-RunShellScript"]));
        Assert.Contains(probes, p => p.Resources.SequenceEqual(["arn:aws:iam::123456789012:role/cord19/example"]) && p.Context.GetValueOrDefault("iam:PassedToService") == "scheduler.redshift.amazonaws.com");
        Assert.Contains(probes, p => p.Actions.Contains("iam:CreateRole") && p.Context.GetValueOrDefault("iam:PermissionsBoundary") == RoleBoundary.ArnIn("123456789012"));
    }

    /// <summary>
    /// iam:CreateRole and iam:PutRolePolicy on any role under /cord19/, with iam:PassRole and ec2:RunInstances, would let
    /// whoever holds the policy make a role with every permission and launch an instance with it (or make it trust them and
    /// assume it). So a role may be created or widened only with the role boundary, and nothing that changes or lifts a
    /// boundary, or makes a user, a key or a policy, is granted at all.
    /// </summary>
    [Fact]
    public void A_role_may_be_created_or_widened_only_with_the_role_boundary_which_the_policy_cannot_change()
    {
        string[] widening = ["iam:CreateRole", "iam:PutRolePolicy", "iam:PutRolePermissionsBoundary", "iam:AttachRolePolicy"];
        foreach (var statement in Statements().Where(s => Strings(s.GetProperty("Action")).Intersect(widening).Any()))
        {
            Assert.True(statement.TryGetProperty("Condition", out var condition), $"{statement.GetProperty("Sid")} widens roles with no condition");
            var boundary = Assert.Single(condition.EnumerateObject().SelectMany(test => test.Value.EnumerateObject()), key => key.Name == "iam:PermissionsBoundary");
            var pattern = Assert.Single(Strings(boundary.Value));
            Assert.Matches("^" + Regex.Escape(pattern).Replace(@"\*", "[0-9]{12}") + "$", RoleBoundary.ArnIn("123456789012"));
        }
        Assert.Contains("iam:CreateRole", OperatorPolicy.Actions);
        Assert.Empty(OperatorPolicy.Actions.Intersect([
            "iam:DeleteRolePermissionsBoundary", "iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicy",
            "iam:DeletePolicyVersion", "iam:UpdateAssumeRolePolicy", "iam:CreateUser", "iam:PutUserPolicy", "iam:AttachUserPolicy", "iam:CreateAccessKey",
            "iam:CreateLoginProfile", "iam:AddUserToGroup", "iam:PutGroupPolicy", "iam:AttachGroupPolicy"]));
    }
}
