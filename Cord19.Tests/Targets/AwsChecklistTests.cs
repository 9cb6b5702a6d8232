using Cord19.Core.Aws;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support.Aws;
using Microsoft.EntityFrameworkCore;
using static Cord19.Tests.Targets.AwsTargetTests;

namespace Cord19.Tests.Targets;

/// <summary>
/// The AWS page's checklist against the in-memory account: each line's cause and fix, the shared roles created on
/// request, and what it says without credentials.
/// </summary>
public sealed class AwsChecklistTests
{
    [Fact]
    public async Task The_checklist_says_what_is_wrong_and_creates_the_roles_on_request()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        h.Cloud.Lake = null;
        foreach (var zone in h.Cloud.SpotPrices.Keys) h.Cloud.SpotPrices[zone] = 0.5m;
        var checklist = h.Get<AwsChecklist>();
        var settings = await h.Core.Settings.GetAsync();

        var before = await checklist.RunAsync(settings, default);
        await checklist.CreateRolesAsync(settings, default);
        var after = await checklist.RunAsync(settings, default);

        Assert.Equal(CheckOutcome.Passed, Item(before, "Identity").Outcome);
        Assert.Equal(CheckOutcome.Failed, Item(before, "COVID-19 data lake").Outcome);
        Assert.Contains("CloudFormation", Item(before, "COVID-19 data lake").Fix);
        Assert.Equal(CheckOutcome.Failed, Item(before, "Spot price").Outcome);
        Assert.EndsWith("above your max of $0.12/h. No fallback type is sold within it either.", Item(before, "Spot price").Detail);
        Assert.Equal(CheckOutcome.Failed, Item(before, $"IAM role {AwsNames.SpectrumRole}").Outcome);
        Assert.Equal(CheckOutcome.Passed, Item(after, $"IAM role {AwsNames.SpectrumRole}").Outcome);
        Assert.Contains("203.0.113.7/32", Item(after, "Operator address").Detail);
        Assert.Equal(CheckOutcome.Passed, Item(after, InstanceTypeCheck.Name).Outcome);
        Assert.Equal("m5.xlarge: 4 vCPUs, 16 GiB, x86_64.", Item(after, InstanceTypeCheck.Name).Detail);

        // Reading quotas is a permission of its own: without it the check is amber, not red.
        h.Cloud.QuotaFailure = FakeAwsCloud.Error("servicequotas:GetServiceQuota", "AccessDeniedException", "not authorized");
        var unreadable = Item(await checklist.RunAsync(settings, default), "Spot vCPU quota");
        Assert.Equal(CheckOutcome.Warning, unreadable.Outcome);
        Assert.Contains("AccessDeniedException", unreadable.Detail);
        Assert.Contains("Allow servicequotas:GetServiceQuota", unreadable.Fix);
    }

    [Fact]
    public async Task A_refused_AWS_call_puts_its_cause_under_Found_and_its_fix_under_Fix()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        h.Cloud.IdentityFailure = FakeAwsCloud.Error("sts:GetCallerIdentity", "ExpiredToken", "The security token included in the request is expired");

        var identity = (await h.Get<AwsChecklist>().RunAsync(await h.Core.Settings.GetAsync(), default))[0];

        Assert.Equal(CheckOutcome.Failed, identity.Outcome);
        Assert.Equal("AWS did not accept the credentials for sts:GetCallerIdentity (ExpiredToken): The security token included in the request is expired.", identity.Detail);
        Assert.Contains("aws sso login", identity.Fix);
    }

    [Fact]
    public async Task Without_credentials_the_checklist_says_how_to_sign_in_and_skips_the_rest()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        h.Cloud.IdentityFailure = new AwsConfigurationException("No AWS credentials were found (environment, shared profile, SSO or instance role). Sign in with `aws sso login`.");

        var items = await h.Get<AwsChecklist>().RunAsync(await h.Core.Settings.GetAsync(), default);

        Assert.Equal(CheckOutcome.Failed, items[0].Outcome);
        Assert.Contains("aws sso login", items[0].Detail);
        // The skipped line, then PyPI's, which needs no credentials.
        Assert.Equal(["Identity", "Other checks", AirflowReleaseCheck.Name], items.Select(i => i.Name));
    }
}
