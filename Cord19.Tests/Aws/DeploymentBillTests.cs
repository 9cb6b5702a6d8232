using Cord19.Core.Deployments;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support;
using Cord19.Tests.Support.Aws;

namespace Cord19.Tests.Aws;

/// <summary>
/// What AWS billed a deployment, asked of Cost Explorer by the deployment's tag, beside the meter. The tag's state is
/// asked first, since that is free and an inactive tag would make the billed request useless.
/// </summary>
public sealed class DeploymentBillTests : IDisposable
{
    private static readonly DateTime Now = new(2026, 12, 6, 11, 0, 0, DateTimeKind.Utc);
    private readonly TempDirectory _files = new();
    private readonly FakeAwsCloud _cloud;

    public DeploymentBillTests() => _cloud = new FakeAwsCloud(_files.Path);

    public void Dispose() => _files.Dispose();

    private static Deployment Ended(DateTime from, DateTime? to) =>
        new() { Id = Guid.Parse("1a2b3c4d-0000-4000-8000-000000000000"), Target = DeploymentTarget.Aws, Region = "us-east-2", CreatedAt = from, EndedAt = to };

    private bool AskedTheBill => _cloud.Calls.Any(c => c.StartsWith("bill ", StringComparison.Ordinal));

    [Fact]
    public async Task A_tag_Cost_Explorer_has_not_seen_is_said_and_no_billed_request_is_made()
    {
        _cloud.CostAllocationTag = null;

        var bill = await DeploymentBill.AskAsync(_cloud, Ended(Now.AddDays(-1), Now.AddHours(-20)), 1.23m, Now, default);

        Assert.Null(bill.BilledUsd);
        Assert.StartsWith("Cost Explorer has not seen the tag `cord19:deployment` on any resource yet", bill.Said);
        Assert.False(AskedTheBill);
    }

    [Fact]
    public async Task An_inactive_tag_gives_the_command_that_activates_it_and_no_billed_request_is_made()
    {
        _cloud.CostAllocationTag = CostAllocationTagState.Inactive;

        var bill = await DeploymentBill.AskAsync(_cloud, Ended(Now.AddDays(-1), Now.AddHours(-20)), 1.23m, Now, default);

        Assert.Null(bill.BilledUsd);
        Assert.Contains("`aws ce update-cost-allocation-tags-status --cost-allocation-tags-status TagKey=cord19:deployment,Status=Active`", bill.Said);
        Assert.False(AskedTheBill);
    }

    [Fact]
    public async Task An_active_tag_gives_what_AWS_billed_each_service_over_the_deployments_days_beside_the_meter()
    {
        _cloud.Bill.AddRange([new("Amazon Redshift", 0.61m, false), new("Amazon Elastic Compute Cloud - Compute", 0.2417m, true), new("Amazon Simple Storage Service", 0.0004m, false)]);

        var bill = await DeploymentBill.AskAsync(_cloud, Ended(new DateTime(2026, 12, 1, 22, 30, 0, DateTimeKind.Utc), new DateTime(2026, 12, 2, 3, 0, 0, DateTimeKind.Utc)), 0.83m, Now, default);

        // Cost Explorer's end is exclusive: the day the deployment ended is asked for too.
        Assert.Contains("bill cord19:deployment=1a2b3c4d-0000-4000-8000-000000000000 2026-12-01..2026-12-03", _cloud.Calls);
        Assert.Equal(0.8521m, bill.BilledUsd);
        Assert.Equal("AWS billed $0.852 for this deployment's tagged resources from 2026-12-01 to 2026-12-02: Amazon Redshift $0.610, " +
            "Amazon Elastic Compute Cloud - Compute $0.242, Amazon Simple Storage Service $0.000. The meter counted $0.830. The figures of days still open may grow. " +
            "Costs AWS bills to nothing that carries the tag are not in AWS's figure, nor costs from before the tag was active.", bill.Said);
    }

    [Fact]
    public async Task A_live_deployment_is_asked_up_to_today_and_a_bill_with_nothing_yet_says_when_costs_arrive()
    {
        var bill = await DeploymentBill.AskAsync(_cloud, Ended(Now.AddHours(-3), null), null, Now, default);

        Assert.Contains("bill cord19:deployment=1a2b3c4d-0000-4000-8000-000000000000 2026-12-06..2026-12-07", _cloud.Calls);
        Assert.Equal(0, bill.BilledUsd);
        Assert.Equal("AWS's bill has nothing tagged with this deployment on 2026-12-06 yet: a day's costs reach Cost Explorer within about 24 hours. " +
            "The meter's figure is unknown (a price is missing).", bill.Said);
    }

    [Fact]
    public async Task Days_Cost_Explorer_has_not_prepared_yet_are_said_with_when_to_ask_again_not_shown_as_a_failure()
    {
        // Cost Explorer's answer for an account that has just enabled it (its model: "The requested data is unavailable").
        _cloud.BillFailure = FakeAwsCloud.Error("ce:GetCostAndUsage", "DataUnavailableException",
            "Data is not available. Please try to adjust the time period. If just enabled Cost Explorer, data might not be ingested yet");

        var bill = await DeploymentBill.AskAsync(_cloud, Ended(Now.AddHours(-3), null), 0.42m, Now, default);

        Assert.Null(bill.BilledUsd);
        Assert.Equal("Cost Explorer has no data yet on 2026-12-06 (DataUnavailableException): an account that has just enabled Cost Explorer " +
            "has its current month's costs about 24 hours later. Ask again tomorrow. The meter counted $0.420.", bill.Said);
    }

    [Fact]
    public async Task Cost_Explorer_never_opened_on_the_account_says_where_to_enable_it_not_which_permission_to_grant()
    {
        // Cost Explorer's words on such an account (aws-samples/aws-cost-explorer-report#15); IAM has nothing to grant.
        var refusal = FakeAwsCloud.Error("ce:GetCostAndUsage", "AccessDeniedException", "User not enabled for cost explorer access", System.Net.HttpStatusCode.BadRequest);
        _cloud.BillFailure = refusal;

        var failed = await Assert.ThrowsAsync<Core.Aws.AwsException>(() => DeploymentBill.AskAsync(_cloud, Ended(Now.AddHours(-3), null), null, Now, default));

        Assert.Same(refusal, failed);
        Assert.Equal("Cost Explorer is not enabled for this account, so AWS refused ce:GetCostAndUsage (AccessDeniedException): User not enabled for cost explorer access.", failed.Cause);
        Assert.StartsWith("Open Cost Explorer once in the Billing and Cost Management console", failed.Fix);
        Assert.DoesNotContain("Allow ce:", failed.Message);
    }

    [Fact]
    public async Task A_local_deployment_was_billed_nothing_and_an_unknown_one_is_named()
    {
        await using var core = await CoreHarness.StartAsync();
        await core.RunAsync(1);
        var local = (await core.Store.ListWithRunsAsync(newest: 1)).Single().Deployment.Id;
        var bills = new DeploymentBills(core.Store, core.Settings, _cloud, TimeProvider.System);

        var bill = await bills.AskAsync(local, default);
        var unknown = await Assert.ThrowsAsync<DeploymentNotFoundException>(() => bills.AskAsync(Guid.Empty, default));

        Assert.Equal(("This deployment ran on this machine: AWS billed nothing for it.", 0m), (bill.Said, bill.BilledUsd));
        Assert.Empty(_cloud.Calls);
        Assert.Equal("No deployment 00000000-0000-0000-0000-000000000000 is recorded here: pick one of the Costs page's deployments.", unknown.Message);
    }
}
