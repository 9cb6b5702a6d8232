using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support.Aws;
using static Cord19.Tests.Targets.AwsTargetTests;

namespace Cord19.Tests.Targets;

/// <summary>
/// Phase 2's statements that act as the Spectrum role fail only on a real account (what Glue, Lake Formation and S3 grant
/// the role): the phase names the statement, the role, Redshift's error and the fix that error calls for.
/// </summary>
public sealed class AwsSpectrumStatementTests
{
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
