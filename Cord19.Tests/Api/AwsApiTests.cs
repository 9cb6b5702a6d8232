using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cord19.Core.Deployments;
using Cord19.Core.Settings;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support;
using Cord19.Tests.Support.Airflow;
using Cord19.Tests.Support.Aws;
using Microsoft.Extensions.DependencyInjection;

namespace Cord19.Tests.Api;

/// <summary>The AWS endpoints and the AWS target through the whole app (Hangfire, SQLite), the account faked at the target's seam.</summary>
[Collection(InProcessHostCollection.Name)]
public sealed class AwsApiTests : IAsyncLifetime
{
    private readonly TempDirectory _files = new();
    private readonly FakeAwsCloud _cloud;
    private readonly WebAppFactory _app;
    private HttpClient _http = null!;

    public AwsApiTests()
    {
        _cloud = new FakeAwsCloud(Path.Combine(_files.Path, "s3"));
        var airflow = new FakeAirflowClient();
        _app = new WebAppFactory(services: s =>
        {
            s.AddSingleton<IAwsCloudFactory>(_cloud);
            s.AddSingleton<IAirflowConnector>(new AwsTargetHarness.RecordingConnector(airflow));
            s.AddSingleton<Cord19.Core.Airflow.IAirflowReleaseIndex>(new FakeAirflowReleaseIndex());
            s.AddSingleton(new AwsTargetOptions { PollInterval = TimeSpan.FromMilliseconds(5), LookUpPublicAddress = _ => Task.FromResult("203.0.113.7/32") });
        });
    }

    public async Task InitializeAsync()
    {
        _http = _app.CreateClient();
        var saved = await _http.PutAsJsonAsync("/api/settings", new PipelineSettings { Target = DeploymentTarget.Aws });
        Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync());
    }

    private async Task<string> WaitForPhaseAsync(int phase)
    {
        for (var i = 0; i < 400; i++)
        {
            var phases = await _http.GetFromJsonAsync<JsonElement>("/api/phases");
            var status = phases.EnumerateArray().Single(p => p.GetProperty("number").GetInt32() == phase).GetProperty("status").GetString()!;
            if (status is not ("Running" or "NotStarted")) return status;
            await Task.Delay(50);
        }
        throw new TimeoutException($"phase {phase} did not finish");
    }

    [Fact]
    public async Task Checklist_roles_phase_one_dry_run_and_confirmed_teardown()
    {
        var checklist = await _http.GetFromJsonAsync<JsonElement>("/api/aws/checklist");
        Assert.Equal("Passed", checklist.EnumerateArray().Single(i => i.GetProperty("name").GetString() == "Identity").GetProperty("outcome").GetString());
        // Without the role boundary, "Create the roles" is refused with who creates it and how, and creates nothing.
        _cloud.RoleBoundaryState = RoleBoundaryState.Missing;
        var withoutBoundary = await _http.PostAsync("/api/aws/roles", null);
        Assert.Equal(HttpStatusCode.Conflict, withoutBoundary.StatusCode);
        Assert.Contains("aws iam create-policy --policy-name cord19-role-boundary", await withoutBoundary.Content.ReadAsStringAsync());
        Assert.Empty(_cloud.Roles);
        _cloud.RoleBoundaryState = RoleBoundaryState.Current;
        // The boundary the administrator creates it from, beside the operator policy.
        Assert.Equal(RoleBoundary.Json, await _http.GetStringAsync("/api/aws/role-boundary"));
        Assert.Equal(HttpStatusCode.OK, (await _http.PostAsync("/api/aws/roles", null)).StatusCode);
        var started = await _http.PostAsync("/api/phases/1/run", null);
        Assert.True(started.StatusCode == HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
        Assert.Equal("Succeeded", await WaitForPhaseAsync(1));

        var plan = await _http.GetFromJsonAsync<JsonElement>("/api/deployment/deallocation-plan");
        var word = plan.GetProperty("confirmationWord").GetString()!;
        Assert.StartsWith("cord19-", word);
        Assert.Equal(AwsResourceKinds.Instance, plan.GetProperty("items")[0].GetProperty("kind").GetString());

        var refused = await _http.PostAsync("/api/phases/7/run", null);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains($"type {word} to confirm", await refused.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.Accepted, (await _http.PostAsync($"/api/phases/7/run?confirm={word}", null)).StatusCode);
        Assert.Equal("Succeeded", await WaitForPhaseAsync(7));
        var orphans = await _http.GetFromJsonAsync<JsonElement>("/api/aws/orphans");
        Assert.Equal(0, orphans.GetProperty("resources").GetArrayLength());
    }

    [Fact]
    public async Task Orphans_everywhere_lists_each_region_with_its_orphans_or_why_it_could_not_be_searched()
    {
        _cloud.TagOnly.Add(new TaggedResource(AwsResourceKinds.Volume, "vol-orphan", Guid.NewGuid().ToString(), "available"));

        var regions = await _http.GetFromJsonAsync<JsonElement>("/api/aws/orphans/everywhere");

        var settingsRegion = regions.EnumerateArray().Single();
        Assert.Equal(new PipelineSettings().AwsRegion, settingsRegion.GetProperty("region").GetString());
        Assert.Equal("vol-orphan", settingsRegion.GetProperty("resources")[0].GetProperty("locator").GetString());
        Assert.Equal(JsonValueKind.Null, settingsRegion.GetProperty("problem").ValueKind);

        _cloud.RefusedRegions.Add(new PipelineSettings().AwsRegion);
        var refused = (await _http.GetFromJsonAsync<JsonElement>("/api/aws/orphans/everywhere")).EnumerateArray().Single();
        Assert.Contains("is not enabled", refused.GetProperty("problem").GetString());
        Assert.Equal(0, refused.GetProperty("resources").GetArrayLength());
    }

    [Fact]
    public async Task AWS_refusals_are_502_problems_that_name_the_action()
    {
        _cloud.RoleFailure = FakeAwsCloud.Error("iam:CreateRole", "AccessDenied", "not authorized to perform: iam:CreateRole", HttpStatusCode.Forbidden);

        var response = await _http.PostAsync("/api/aws/roles", null);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("AWS refused iam:CreateRole", problem.GetProperty("title").GetString());
        Assert.Contains("Allow iam:CreateRole", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task The_region_s_prices_are_read_without_saving_and_a_deployment_s_bill_is_asked_by_POST()
    {
        _cloud.PriceList.Add(("AmazonEC2", new ListedPrice("GP3", "Storage", new Dictionary<string, string> { ["regionCode"] = "us-east-2", ["volumeApiName"] = "gp3" },
            "GB-Mo", 0.08m, "0", new DateOnly(2026, 11, 1), "$0.08 per GB-month of General Purpose (gp3) provisioned storage - US East (Ohio)")));

        var reading = await (await _http.PostAsync("/api/settings/price-book/read", null)).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Contains("ebs.gp3.gb-month", reading.GetProperty("read").EnumerateArray().Select(k => k.GetString()));
        Assert.StartsWith("Read 7 of 23 prices for us-east-2 from AWS.", reading.GetProperty("summary").GetString()); // gp3 and the six spot prices
        Assert.Contains("AWS's Price List API (AmazonEC2, SKU GP3", reading.GetProperty("json").GetString());
        Assert.Null((await _http.GetFromJsonAsync<JsonElement>("/api/settings")).GetProperty("priceBookJson").GetString()); // nothing saved

        // A saved type the book lacks (saved without a cap, which it would leave blind) is read too, to be added.
        var saved = await _http.PatchAsync("/api/settings", JsonContent.Create(new { instanceType = "t3.medium", budgetCapUsd = (decimal?)null }));
        Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync());
        _cloud.SpotPricesOf["t3.medium"] = new() { ["us-east-2a"] = 0.0131m };
        var withType = await (await _http.PostAsync("/api/settings/price-book/read", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.StartsWith("Read 8 of 24 prices for us-east-2 from AWS.", withType.GetProperty("summary").GetString());
        Assert.Contains("\"ec2.spot.t3.medium\"", withType.GetProperty("json").GetString());

        var unknown = await _http.PostAsync($"/api/costs/deployments/{Guid.Empty}/aws-bill", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("pick one of the Costs page's deployments", (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await _http.GetAsync($"/api/costs/deployments/{Guid.Empty}/aws-bill")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _app.CreateAnonymousClient().PostAsync("/api/settings/price-book/read", null)).StatusCode);
    }

    [Fact]
    public async Task Without_a_live_deployment_there_is_no_plan_and_no_status()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/api/deployment/deallocation-plan")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/api/aws/status")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _app.CreateAnonymousClient().GetAsync("/api/aws/checklist")).StatusCode);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
        _files.Dispose();
    }
}
