using Cord19.Core.Deployments;
using Cord19.Core.Settings;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support.Aws;
using static Cord19.Tests.Targets.AwsTargetTests;

namespace Cord19.Tests.Targets;

/// <summary>
/// Phase 2 and the data lake: the lake's table is judged alike by the checklist and by phase 2 before it creates anything
/// (<see cref="DataLakeCheck"/>). The statements that act as the Spectrum role fail only on a real account (what Glue,
/// Lake Formation and S3 grant the role): the phase names the statement, the role, Redshift's error and the fix that
/// error calls for.
/// </summary>
public sealed class AwsDataLakeTests
{
    [Fact]
    public async Task An_empty_object_where_the_export_goes_is_not_taken_for_the_export()
    {
        // A failed upload, say: zero bytes are not the lake's metadata, and phase 2 makes the cluster and exports.
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        var names = await h.NamesAsync();
        await h.Cloud.UploadAsync(names.AccountBucket, names.ExportKey, new MemoryStream(), default);

        Succeeded(await h.Core.RunAsync(2), "");

        Assert.True(h.Cloud.Clusters.ContainsKey(names.Cluster));
        Assert.Contains(h.Cloud.Sql, s => s.StartsWith("unload", StringComparison.Ordinal));
        Assert.True(await h.Cloud.ObjectSizeAsync(names.AccountBucket, names.ExportKey, default) > 0);
    }

    [Fact]
    public async Task Phase_two_without_the_data_lake_names_the_Glue_table_and_the_template()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        h.Cloud.Lake = null;

        var state = await h.Core.RunAsync(2);

        // The template's address and the command, not a search for them.
        FailedSaying(state, "covid-19.alleninstitute_metadata", "aws cloudformation create-stack --region us-east-2 --stack-name covid-lake-stack " +
            "--template-url https://covid19-lake.s3.us-east-2.amazonaws.com/cfn/CovidLakeStack.template.json");
        Assert.Empty(h.Cloud.Clusters);
    }

    /// <summary>Outside the lake's region, making the tables there would not help: Spectrum reads only its own region.</summary>
    [Fact]
    public async Task Outside_the_lakes_region_a_missing_lake_says_to_deploy_in_us_east_2()
    {
        await using var h = await AwsTargetHarness.StartAsync(new PipelineSettings { Target = DeploymentTarget.Aws, AwsRegion = "eu-west-1" });
        h.Cloud.Lake = null;

        var line = Item(await h.Get<AwsChecklist>().RunAsync(await h.Core.Settings.GetAsync(), default), DataLakeCheck.Name);

        Assert.Equal(CheckOutcome.Failed, line.Outcome);
        Assert.Contains("set the AWS region to us-east-2 in Settings", line.Fix);
        Assert.Contains("create-stack --region us-east-2", line.Fix);
    }

    [Fact]
    public async Task Phase_two_refuses_a_data_lake_in_another_region_before_creating_anything()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        h.Cloud.LakeBucketRegion = "us-east-1";
        var groupsBefore = h.Cloud.Groups.Count;

        var state = await h.Core.RunAsync(2);

        FailedSaying(state, "s3://covid19-lake is in us-east-1", "us-east-2", "Spectrum", "No cluster was created", "panel's metadata file");
        Assert.Empty(h.Cloud.Clusters);
        Assert.Equal(groupsBefore, h.Cloud.Groups.Count);
    }

    [Fact]
    public async Task Phase_two_says_an_empty_data_lake_is_empty_and_creates_no_cluster()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        h.Cloud.LakeHasFiles = false;

        var state = await h.Core.RunAsync(2);

        FailedSaying(state, "holds no files: the lake is empty", "No cluster was created", "panel's metadata file");
        Assert.Empty(h.Cloud.Clusters);
    }

    [Fact]
    public async Task A_lake_table_pointing_outside_AWSs_data_lake_is_red_and_phase_two_refuses_it_before_creating_anything()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        // A copy of the lake in a bucket of one's own: the Spectrum role (and its boundary) reads only AWS's bucket.
        h.Cloud.Lake = h.Cloud.Lake! with { Location = "s3://my-lake-copy/alleninstitute/CORD19/json/metadata/" };
        var rolesBefore = h.Cloud.Roles.Count;

        var line = Item(await h.Get<AwsChecklist>().RunAsync(await h.Core.Settings.GetAsync(), default), DataLakeCheck.Name);
        var state = await h.Core.RunAsync(2);

        Assert.Equal(CheckOutcome.Failed, line.Outcome);
        Assert.Contains("points at s3://my-lake-copy/", line.Detail);
        Assert.Contains("Point the table back at s3://covid19-lake", line.Fix);
        FailedSaying(state, "not at AWS's COVID-19 data lake (s3://covid19-lake)", "Spectrum role", "No cluster was created", "panel's metadata file");
        Assert.Empty(h.Cloud.Clusters);
        Assert.Equal(rolesBefore, h.Cloud.Roles.Count);
    }

    /// <summary>Where Lake Formation governs the catalogue, IAM's grant of glue:GetTable is not enough: the fix is a grant there.</summary>
    [Fact]
    public async Task A_lake_Lake_Formation_keeps_from_the_operator_is_red_with_the_grant_to_make_and_phase_two_creates_nothing()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        h.Cloud.LakeFailure = FakeAwsCloud.Error("glue:GetTable", "AccessDeniedException", "Insufficient Lake Formation permission(s): Required Describe on alleninstitute_metadata");

        var line = Item(await h.Get<AwsChecklist>().RunAsync(await h.Core.Settings.GetAsync(), default), DataLakeCheck.Name);
        var state = await h.Core.RunAsync(2);

        Assert.Equal(CheckOutcome.Failed, line.Outcome);
        Assert.Equal("Lake Formation refused glue:GetTable (AccessDeniedException): Insufficient Lake Formation permission(s): Required Describe on alleninstitute_metadata.", line.Detail);
        Assert.Contains("grant the identity the panel runs as (the AWS checklist shows which one) Describe", line.Fix);
        Assert.DoesNotContain("Allow glue:GetTable", line.Fix); // IAM allows it already
        FailedSaying(state, "Lake Formation refused glue:GetTable", "Permissions → Data lake permissions → Grant");
        Assert.Empty(h.Cloud.Clusters);
    }

    [Fact]
    public async Task The_lake_line_reads_the_lake_only_when_phase_two_would_and_says_when_it_is_empty_or_cannot_tell()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        var checklist = h.Get<AwsChecklist>();
        h.Cloud.LakeHasFiles = false;

        var empty = Item(await checklist.RunAsync(await h.Core.Settings.GetAsync(), default), DataLakeCheck.Name);
        h.Cloud.LakeHasFiles = null; // S3 refuses the listing (an operator policy from before ListTheDataLake)
        var unknown = Item(await checklist.RunAsync(await h.Core.Settings.GetAsync(), default), DataLakeCheck.Name);
        h.Cloud.LakeHasFiles = true;
        var listed = Item(await checklist.RunAsync(await h.Core.Settings.GetAsync(), default), DataLakeCheck.Name);
        h.Cloud.Lake = null;
        var panelFile = Item(await checklist.RunAsync(new PipelineSettings { Target = DeploymentTarget.Aws, AwsMetadataSource = PipelineSettings.PanelMetadataSource }, default),
            DataLakeCheck.Name);

        Assert.Equal(CheckOutcome.Failed, empty.Outcome);
        Assert.Contains("holds no files", empty.Detail);
        Assert.Equal(CheckOutcome.Passed, unknown.Outcome);
        Assert.Contains("whether it holds files is not known", unknown.Detail);
        Assert.DoesNotContain("not known", listed.Detail);
        // No cluster reads the lake then: a missing one is no reason for red.
        Assert.Equal(CheckOutcome.Passed, panelFile.Outcome);
        Assert.StartsWith("Not needed", panelFile.Detail);
    }

    /// <summary>
    /// IAM's simulator, asked about the Spectrum role, foresees a refusal that would otherwise show only once the cluster
    /// bills: an organization's service control policy keeping the role from AWS's lake, say.
    /// </summary>
    [Fact]
    public async Task A_refusal_IAM_foresees_for_the_Spectrum_role_is_red_and_stops_phase_two_before_the_cluster()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        var checklist = h.Get<AwsChecklist>();
        var settings = await h.Core.Settings.GetAsync();
        var missing = Item(await checklist.RunAsync(settings, default), SpectrumAccessCheck.Name);
        await checklist.CreateRolesAsync(settings, default);
        var clear = Item(await checklist.RunAsync(settings, default), SpectrumAccessCheck.Name);
        h.Cloud.Denied.Add(new DeniedAction("s3:GetObject", "implicitDeny", "arn:aws:s3:::covid19-lake/alleninstitute/CORD19/json/metadata/example.json") { ByServiceControlPolicy = true });

        var refused = Item(await checklist.RunAsync(settings, default), SpectrumAccessCheck.Name);
        var state = await h.Core.RunAsync(2);

        Assert.Equal(CheckOutcome.Warning, missing.Outcome); // no role yet to ask about
        Assert.Equal(CheckOutcome.Passed, clear.Outcome);
        // The access line asks about the role its own line found: IAM is asked for it once a run, and not at all by phase 2.
        Assert.Equal(3, h.Cloud.Calls.Count(c => c == $"get role {AwsNames.SpectrumRole}"));
        Assert.Contains(h.Cloud.SimulatedPrincipals, p => p.EndsWith($"role/cord19/{AwsNames.SpectrumRole}", StringComparison.Ordinal));
        Assert.Equal(CheckOutcome.Failed, refused.Outcome);
        Assert.Contains("s3:GetObject on arn:aws:s3:::covid19-lake/alleninstitute/CORD19/json/metadata/example.json (service control policy)", refused.Detail);
        Assert.Contains("ask the organization's administrator", refused.Fix);
        FailedSaying(state, "IAM would refuse", "service control policy", "No cluster was created");
        Assert.Empty(h.Cloud.Clusters);
    }

    /// <summary>
    /// A role phase 2 has just made, or just given its policy, reaches IAM's simulator a little later: what its policy does
    /// not show yet, with nothing refusing it, is amber, and phase 2 goes on to its cluster.
    /// </summary>
    [Fact]
    public async Task What_the_Spectrum_roles_policy_does_not_show_yet_is_amber_and_phase_two_goes_on()
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        h.Cloud.Denied.Add(new DeniedAction("glue:GetTable", "implicitDeny", "arn:aws:glue:us-east-2:123456789012:table/covid-19/alleninstitute_metadata"));

        var state = await h.Core.RunAsync(2);

        Succeeded(state, await h.Core.LogTextAsync(state));
        Assert.Contains("IAM's simulator does not show", await h.Core.LogTextAsync(state));
        Assert.NotEmpty(h.Cloud.Clusters);
    }

    /// <summary>What the statements touch, as the simulator is asked it: the export only into a bucket that is the account's own.</summary>
    [Fact]
    public void The_Spectrum_roles_access_is_asked_on_the_lake_and_on_an_export_in_the_accounts_own_bucket()
    {
        var probes = SpectrumAccessCheck.Probes("123456789012", "us-east-2");

        Assert.Contains(probes, p => p.Actions.Contains("glue:GetTable") && p.Resources.Contains("arn:aws:glue:us-east-2:123456789012:table/covid-19/alleninstitute_metadata"));
        Assert.Contains(probes, p => p.Actions.Contains("s3:ListBucket") && p.Resources.SequenceEqual(["arn:aws:s3:::covid19-lake"]));
        var export = Assert.Single(probes, p => p.Actions.Contains("s3:PutObject"));
        Assert.Matches(@"^arn:aws:s3:::cord19-[0-9a-f]+-123456789012-us-east-2-an/exports/metadata_000\.gz$", Assert.Single(export.Resources));
        Assert.Equal("123456789012", export.Context["aws:ResourceAccount"]);
        // Each probe fits the Spectrum role's own policy: the simulator would otherwise deny what the role may do.
        var policy = AwsRoles.SpectrumIn("123456789012").InlinePolicy;
        Assert.All(probes.SelectMany(p => p.Actions), action => Assert.Contains($"\"{action}\"", policy));
    }

    [Theory]
    // Lake Formation's refusal, as Glue words it: IAM's grants are not enough, the fix is a grant there.
    [InlineData("create external schema", "ERROR: Insufficient Lake Formation permission(s): Required Describe on covid-19",
        "could not make the external schema covid19_lake over the Glue database covid-19", "grant arn:aws:iam::123456789012:role/cord19/cord19-redshift-spectrum Describe on the database covid-19")]
    [InlineData("select count(*)", "ERROR: S3ServiceException:Access Denied,Status 403,Error AccessDenied",
        "could not read the data lake's table covid-19.alleninstitute_metadata", "a role boundary other than this version's")]
    [InlineData("unload", "ERROR: S3ServiceException:Access Denied,Status 403,Error AccessDenied",
        "could not export the data lake to s3://", "S3 refused the role's write")]
    [InlineData("select count(*)", "ERROR: Spectrum Scan Error: something Redshift has not seen before",
        "could not read the data lake's table", "it resumes the paused cluster and runs the statements again")]
    public async Task A_failed_Spectrum_statement_names_itself_the_role_and_the_fix_its_error_calls_for(string statement, string error, string what, string fix)
    {
        await using var h = await AwsTargetHarness.StartAsync();
        Succeeded(await h.Core.RunAsync(1), "");
        h.Cloud.SqlFailure = sql => sql.StartsWith(statement, StringComparison.Ordinal)
            ? FakeAwsCloud.Error("redshift-data:ExecuteStatement", AwsCloud.StatementFailed, error)
            : null;

        var state = await h.Core.RunAsync(2);

        FailedSaying(state, what, "as the role arn:aws:iam::123456789012:role/cord19/cord19-redshift-spectrum", error, fix);
    }
}
