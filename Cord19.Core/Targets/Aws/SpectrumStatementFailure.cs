using Cord19.Core.Aws;

namespace Cord19.Core.Targets.Aws;

/// <summary>Phase 2's three statements that act as the Spectrum role: each reads or writes something of its own.</summary>
public enum SpectrumStatement { ExternalSchema, LakeCount, Unload }

/// <summary>
/// What phase 2 says when Redshift runs one of its Spectrum statements and the statement fails: which statement, as which
/// role, Redshift's own error, and a fix that follows the error. The checklist cannot foresee these: they depend on what
/// Redshift, assuming the role, is granted by Glue, Lake Formation and S3, which only the statement itself tries.
/// </summary>
public static class SpectrumStatementFailure
{
    public static string Describe(SpectrumStatement statement, string redshiftError, string roleArn, AwsNames names)
    {
        var error = redshiftError.TrimEnd('.');
        var what = statement switch
        {
            SpectrumStatement.ExternalSchema => $"Redshift could not make the external schema {AwsNames.ExternalSchema} over the Glue database {AwsNames.LakeDatabase} as the role {roleArn}",
            SpectrumStatement.LakeCount => $"Redshift Spectrum could not read the data lake's table {AwsNames.LakeDatabase}.{AwsNames.LakeTable} as the role {roleArn}",
            _ => $"Redshift could not export the data lake to s3://{names.Bucket}/{names.ExportKey} as the role {roleArn}",
        };
        return $"{what}: {error}. {Fix(statement, error, roleArn)}";
    }

    private static string Fix(SpectrumStatement statement, string error, string roleArn)
    {
        // Lake Formation's refusals say so ("Insufficient Lake Formation permission(s): Required Describe on …"): the
        // account governs its catalogue there, so IAM's grants to the role are not enough.
        if (AwsErrors.IsLakeFormationRefusal(error))
            return "Lake Formation governs this account's Glue catalogue, and grants the role nothing on the lake: in the Lake Formation console " +
                $"(Permissions → Data lake permissions → Grant), grant {roleArn} Describe on the database {AwsNames.LakeDatabase} and Select and Describe " +
                $"on its table {AwsNames.LakeTable}, then run phase 2 again; or {DataLakeCheck.PanelFile}.";
        var refused = error.Contains("Access Denied", StringComparison.OrdinalIgnoreCase) || error.Contains("AccessDenied", StringComparison.Ordinal)
            || error.Contains("not authorized", StringComparison.OrdinalIgnoreCase);
        if (refused && statement == SpectrumStatement.Unload)
            return "S3 refused the role's write. Phase 2 puts the role's policy again each time it runs, so run it once more; if S3 refuses again, " +
                "something beyond the role refuses it: a service control policy of your organization, or a deployment bucket that is no longer " +
                "this account's (the role writes only to the account's own; phase 7, then phases 1 and 2, make a new one).";
        if (refused)
            return "The role's read was refused. Phase 2 puts the role's policy again each time it runs, so run it once more; if it is refused " +
                "again, something beyond the role refuses it: a service control policy of your organization, or a role boundary other than this " +
                $"version's (the checklist's Role boundary line says). Or {DataLakeCheck.PanelFile}.";
        return $"Run phase 2 again: it resumes the paused cluster and runs the statements again. If it fails the same way, {DataLakeCheck.PanelFile}.";
    }
}
