using Cord19.Core.Configuration;
using Cord19.Core.Deployments;
using Microsoft.Extensions.Configuration;

namespace Cord19.Tests.Configuration;

/// <summary>The one configuration object: bound from the CORD19_* names, each bad value refused with its variable and fix.</summary>
public sealed class Cord19OptionsTests
{
    private static Cord19Options Bind(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build().Get<Cord19Options>() ?? new Cord19Options();

    [Fact]
    public void Environment_variable_names_bind_to_the_typed_options()
    {
        var options = Bind(new()
        {
            ["CORD19_DATA_DIR"] = "/srv/cord19",
            ["CORD19_TARGET"] = "AWS",
            ["CORD19_S3_BUCKET"] = "results",
            ["CORD19_S3_ENDPOINT"] = "http://127.0.0.1:9000",
            ["CORD19_AIRFLOW_URL"] = "http://airflow:8080",
            ["CORD19_AIRFLOW_API"] = "v2",
            ["CORD19_DATA_ROOTS"] = "/data:/srv/cord19",
            ["CORD19_TEST_STEP_DELAY_MS"] = "250",
            ["CORD19_PYPI_URL"] = "http://127.0.0.1:3141/root/pypi",
            ["CORD19_TRUSTED_PROXIES"] = "10.0.0.0/16, 192.0.2.10,2001:db8::/32",
        });

        Assert.Empty(options.Validate());
        Assert.Equal("/srv/cord19", options.Data.Root);
        Assert.Equal(DeploymentTarget.Aws, options.FixedTarget);
        Assert.Equal(("results", "us-east-2", "http://127.0.0.1:9000"), (options.ResultsBucket!.Bucket, options.ResultsBucket.Region, options.ResultsBucket.Endpoint));
        Assert.Equal(Cord19.Core.Airflow.AirflowApiVersion.V2, options.Airflow!.ApiVersion);
        Assert.Equal(["/data/", "/srv/cord19/"], options.DataRootFolders);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.PhaseRunner.StepDelay);
        Assert.Equal(["10.0.0.0/16", "192.0.2.10/32", "2001:db8::/32"], options.TrustedProxyNetworks.Select(n => n.ToString()));
        Assert.Empty(Bind(new()).TrustedProxyNetworks);
        Assert.False(options.StateDatabase.IsPostgres);
        // A path keeps its place: the client's routes are relative to it.
        Assert.Equal("http://127.0.0.1:3141/root/pypi/", options.AwsTarget.PackageIndex.ToString());
        Assert.Equal("https://pypi.org/", Bind(new()).AwsTarget.PackageIndex.ToString());
    }

    [Theory]
    [InlineData("CORD19_TARGET", "gcp", "CORD19_TARGET='gcp' is not a target: use local or aws")]
    [InlineData("CORD19_AIRFLOW_URL", "airflow:8080", "CORD19_AIRFLOW_URL='airflow:8080' is not an http(s) address")]
    [InlineData("CORD19_AIRFLOW_API", "v9", "CORD19_AIRFLOW_API='v9' is not known. Use v1 (Airflow 2), v2 (Airflow 3) or auto")]
    [InlineData("CORD19_AWS_AIRFLOW_URL", "http://127.0.0.1:8443", "CORD19_AWS_AIRFLOW_URL='http://127.0.0.1:8443' is not an https address")]
    [InlineData("CORD19_PYPI_URL", "pypi.org", "CORD19_PYPI_URL='pypi.org' is not an http(s) address. Set it to a server of PyPI's JSON API")]
    [InlineData("CORD19_ACCESS_TOKEN", "short", "CORD19_ACCESS_TOKEN is shorter than 16 characters")]
    [InlineData("CORD19_SIGN_IN", "maybe", "CORD19_SIGN_IN='maybe' is not known: use off")]
    [InlineData("CORD19_OIDC_AUTHORITY", "https://login.example.org", "needs both CORD19_OIDC_AUTHORITY and CORD19_OIDC_CLIENT_ID")]
    [InlineData("CORD19_OIDC_AUTHORITY", "http://keycloak.example:8080/realms/research", "CORD19_OIDC_AUTHORITY='http://keycloak.example:8080/realms/research' is not https")]
    [InlineData("CORD19_OIDC_AUTHORITY", "login.example.org", "CORD19_OIDC_AUTHORITY='login.example.org' is not an address: use the provider's issuer")]
    [InlineData("CORD19_S3_REGION", "mars-1", "CORD19_S3_REGION='mars-1' is not an AWS region name")]
    [InlineData("CORD19_TRUSTED_PROXIES", "10.0.0.0/16, lb.example", "CORD19_TRUSTED_PROXIES names 'lb.example', which is not an address or a network: give the proxies'")]
    [InlineData("CORD19_TEST_STEP_DELAY_MS", "soon", "CORD19_TEST_STEP_DELAY_MS='soon' is not a number of milliseconds")]
    [InlineData("CORD19_POSTGRES", "Hots=db;Password=the-secret", "CORD19_POSTGRES is not a PostgreSQL connection string (Couldn't set hots): use one such as")]
    public void A_bad_value_is_refused_naming_its_variable_and_the_fix(string variable, string value, string expected)
    {
        // An authority alone is also refused for want of a client id: the client id is given, but for the test of that.
        var clientId = variable == "CORD19_OIDC_AUTHORITY" && !expected.Contains("needs both") ? "cord19-panel" : null;
        var problem = Assert.Single(Bind(new() { ["CORD19_AIRFLOW_URL"] = variable == "CORD19_AIRFLOW_API" ? "http://airflow:8080" : null, ["CORD19_OIDC_CLIENT_ID"] = clientId, [variable] = value }).Validate());
        Assert.Contains(expected, problem);
        Assert.DoesNotContain("the-secret", problem);
    }
}
