namespace Cord19.Core.Targets.Aws;

/// <summary>
/// The permissions boundary that every role the panel creates carries (role-boundary.json): the most any of its roles may
/// do, whatever policy is put on it. The operator policy lets a role under /cord19/ be created, or given a policy, only
/// with this boundary. Without that condition, iam:CreateRole and iam:PutRolePolicy would let whoever holds the operator
/// policy make a role with every permission and pass it to an instance they launch, or make it trust them and assume it:
/// the account's administrator in three calls (AWS's user guide, "Permissions boundaries for IAM entities", delegating).
/// An administrator creates the boundary once; the operator policy grants no way to change or remove it.
/// </summary>
public static class RoleBoundary
{
    public const string PolicyName = "cord19-role-boundary";
    public const string PolicyPath = "/cord19/";
    public const string CheckName = "Role boundary";

    public static string Json { get; } = PolicyDocument.Embedded("Cord19.Core.Targets.Aws.role-boundary.json");

    public static string ArnIn(string account) => $"arn:aws:iam::{account}:policy{PolicyPath}{PolicyName}";

    private const string File = "Cord19.Core/Targets/Aws/role-boundary.json (also GET /api/aws/role-boundary)";

    public static string CreateFix =>
        $"An administrator of the account creates it once from {File}: `aws iam create-policy --policy-name {PolicyName} --path {PolicyPath} --policy-document file://role-boundary.json`";

    public static string UpdateFixIn(string account) =>
        $"An administrator updates it from {File}: `aws iam create-policy-version --policy-arn {ArnIn(account)} --policy-document file://role-boundary.json --set-as-default`";

    public static CheckItem Judge(RoleBoundaryState state, string account) => state switch
    {
        RoleBoundaryState.Current => new(CheckName, CheckOutcome.Passed,
            $"{ArnIn(account)}: every role the panel creates carries it, so no role can do more than the phases need."),
        RoleBoundaryState.Differs => new(CheckName, CheckOutcome.Warning,
            $"{ArnIn(account)} differs from this version's boundary: a role the panel creates may lack what a phase needs, or be allowed more.",
            UpdateFixIn(account)),
        _ => new(CheckName, CheckOutcome.Failed,
            $"{ArnIn(account)} does not exist. The operator policy lets the panel create its roles only with this boundary, so phases 1 and 2 cannot create them.",
            CreateFix),
    };
}

/// <summary>The boundary policy in the account: missing, there with other grants than this version's, or the same.</summary>
public enum RoleBoundaryState { Missing, Differs, Current }

/// <summary>Creating the roles was asked for while the account has no role boundary for them to carry.</summary>
public sealed class RoleBoundaryMissingException(string account)
    : Cord19Exception($"{RoleBoundary.Judge(RoleBoundaryState.Missing, account).Detail} {RoleBoundary.CreateFix}")
{
    public override FailureKind Failure => FailureKind.Conflict;
    public override string Title => "The role boundary is missing";
}
