using Bunit;
using Cord19.Core.Costs;
using Cord19.Core.Deployments;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support;
using Cord19.Web.ServiceClient;
using Microsoft.Extensions.DependencyInjection;

namespace Cord19.Tests.Pages;

/// <summary>The Costs page asks AWS what it billed a past AWS deployment, on a click only (each answer costs $0.01).</summary>
public sealed class CostBillTests : PageTestContext
{
    private static readonly Guid Older = Guid.Parse("0aaaaaaa-0000-4000-8000-000000000000"), Newer = Guid.Parse("0bbbbbbb-0000-4000-8000-000000000000");
    private readonly FakeCostClient _costs;

    public CostBillTests() : this(new FakeCostClient()) { }

    private CostBillTests(FakeCostClient costs) : base(s => s.AddSingleton<ICostClient>(costs)) => _costs = costs;

    private void Past(params (Guid Id, DeploymentTarget Target)[] deployments) =>
        _costs.History = new([], null, null, [.. deployments.Select((d, i) => new PastDeploymentCost(d.Id, new DateTime(2026, 12, 1 + i, 9, 0, 0, DateTimeKind.Utc), 0.5m, d.Target))], [], null);

    [Fact]
    public async Task The_newest_AWS_deployments_bill_is_asked_for_on_a_click_and_said_with_its_commands_as_code()
    {
        Past((Older, DeploymentTarget.Aws), (Guid.NewGuid(), DeploymentTarget.Local), (Newer, DeploymentTarget.Aws));
        _costs.Bill = id => Task.FromResult(new DeploymentBill(id, "AWS's bill is not split by the panel's tag: run `aws ce update-cost-allocation-tags-status`.", [], null, 0.5m));
        var page = Render<Cord19.Web.Components.Pages.Costs>();
        page.WaitForElement("[data-testid=ask-bill]", Patience);
        Assert.Empty(_costs.BillsAsked);

        await page.Find("[data-testid=ask-bill]").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Equal("aws ce update-cost-allocation-tags-status", page.Find("[data-testid=bill-said] code").TextContent), Patience);
        Assert.Equal([Newer], _costs.BillsAsked);
    }

    [Fact]
    public async Task A_refusal_says_why()
    {
        Past((Newer, DeploymentTarget.Aws));
        _costs.Bill = _ => Task.FromException<DeploymentBill>(new Cord19.Core.Aws.AwsException("ce:GetCostAndUsage", "AccessDeniedException",
            "User: arn:aws:iam::123456789012:user/researcher is not authorized to perform: ce:GetCostAndUsage", System.Net.HttpStatusCode.BadRequest));
        var page = Render<Cord19.Web.Components.Pages.Costs>();
        page.WaitForElement("[data-testid=ask-bill]", Patience);

        await page.Find("[data-testid=ask-bill]").ClickAsync(new());

        page.WaitForAssertion(() => Assert.StartsWith("AWS's bill was not read: ", page.Find("[data-testid=bill-said]").TextContent.Trim()), Patience);
        Assert.Contains("ce:GetCostAndUsage", page.Find("[data-testid=bill-said]").TextContent);
    }

    [Fact]
    public void Local_deployments_alone_offer_no_bill()
    {
        Past((Older, DeploymentTarget.Local));
        var page = Render<Cord19.Web.Components.Pages.Costs>();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("#cost-past")), Patience);

        Assert.Empty(page.FindAll("[data-testid=ask-bill]"));
    }
}
