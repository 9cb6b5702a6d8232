using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using Cord19.Core.Aws;

namespace Cord19.Core.Targets.Aws;

public sealed partial class AwsCloud
{
    public Task PutSecretAsync(string name, string value, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        // Never overwritten (Overwrite is left out, false by default, since SSM refuses tags beside it): a resumed phase
        // keeps the password Airflow was already set up with.
        IgnoreAsync(AwsErrorKind.AlreadyExists, () => AwsCall.RunAsync("ssm:PutParameter", () => Ssm.PutParameterAsync(new PutParameterRequest
        {
            Name = name,
            Value = value,
            Type = ParameterType.SecureString,
            Tags = tags.Select(t => new Tag { Key = t.Key, Value = t.Value }).ToList(),
        }, ct)));

    public async Task<string?> GetSecretAsync(string name, CancellationToken ct)
    {
        var answer = await OrNullAsync(() => AwsCall.RunAsync("ssm:GetParameter",
            () => Ssm.GetParameterAsync(new GetParameterRequest { Name = name, WithDecryption = true }, ct)));
        return answer?.Parameter?.Value;
    }

    public Task DeleteSecretAsync(string name, CancellationToken ct) =>
        IgnoreAsync(AwsErrorKind.NotFound, () => AwsCall.RunAsync("ssm:DeleteParameter", () => Ssm.DeleteParameterAsync(new DeleteParameterRequest { Name = name }, ct)));
}
