using System.Text.Json;
using Cord19.Core.Settings;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support;

namespace Cord19.Tests.Aws;

public sealed class AirflowUserDataTests
{
    [Theory]
    [InlineData("2.10.5", "airflow-webserver", "basic_auth")]
    [InlineData("3.1.0", "airflow-api-server", "SimpleAuthManager")]
    public async Task The_first_boot_script_is_valid_bash_and_installs_the_chosen_Airflow_without_a_password_in_it(string version, string service, string auth)
    {
        var script = AirflowUserData.Render(version, "us-east-2", "/cord19/1a2b3c4d/airflow-admin-password", "cord19-1a2b3c4d-123456789012", TimeSpan.FromHours(8));
        // bash -n parses the whole script (heredocs, quoting) without running it.
        await ShellSyntax.AssertParsesAsync("/bin/bash", script);
        Assert.StartsWith("#!/bin/bash\n", script);
        // The instance ends itself at the maximum lifetime, before anything else can fail.
        Assert.True(script.IndexOf("shutdown -h +480 ", StringComparison.Ordinal) < script.IndexOf("apt-get", StringComparison.Ordinal));
        Assert.Contains("shutdown -h +480 ", script);
        Assert.Contains($"AIRFLOW_VERSION={version}", script);
        Assert.Contains("constraints-${AIRFLOW_VERSION}/constraints-${PYTHON_VERSION}.txt", script);
        Assert.Contains($"/etc/systemd/system/{service}.service", script);
        Assert.Contains(auth, script);
        Assert.Contains("get_parameter(Name='/cord19/1a2b3c4d/airflow-admin-password', WithDecryption=True)", script);
        Assert.DoesNotContain("admin:admin@", script);
        Assert.DoesNotContain("--password admin", script);
        Assert.True(script.Length < 16_384, $"EC2 user data is limited to 16 KB; this is {script.Length} bytes");
    }

    [Fact]
    public void The_roles_policies_are_JSON_and_grant_only_what_the_phases_use()
    {
        foreach (var role in AwsRoles.All)
        {
            using var policy = JsonDocument.Parse(role.InlinePolicy);
            var actions = policy.RootElement.GetProperty("Statement").EnumerateArray()
                .SelectMany(s => s.GetProperty("Action").EnumerateArray()).Select(a => a.GetString()!).ToList();
            Assert.DoesNotContain(actions, a => a.EndsWith(":*", StringComparison.Ordinal) || a == "*");
        }
        Assert.Contains(AwsRoles.SsmManagedPolicy, AwsRoles.Instance.ManagedPolicyArns);
        Assert.True(AwsRoles.Instance.WithInstanceProfile);
        Assert.Equal("redshift.amazonaws.com", AwsRoles.Spectrum.TrustedService);
    }

    [Theory]
    [InlineData("us-east-2", "2.10.5", null, true)]
    [InlineData("eu-central-1", "3.1.0", "203.0.113.7/32", true)]
    [InlineData("us-east-two", "2.10.5", null, false)]
    [InlineData("us-east-2", "latest", null, false)]
    [InlineData("us-east-2", "1.10.15", null, false)]
    [InlineData("us-east-2", "2.10.5", "0.0.0.0/0", false)]
    [InlineData("us-east-2", "2.10.5", "203.0.113.7", false)]
    public void AWS_settings_are_checked_before_anything_reaches_AWS(string region, string airflow, string? cidr, bool valid)
    {
        var settings = new PipelineSettings { Target = PipelineSettings.AwsTarget, AwsRegion = region, AirflowVersion = airflow, OperatorCidr = cidr };

        var errors = settings.Validate();

        Assert.True(valid == (errors.Count == 0), string.Join(" ", errors));
        Assert.All(errors, e => Assert.Matches(": (use|write)", e));
    }
}
