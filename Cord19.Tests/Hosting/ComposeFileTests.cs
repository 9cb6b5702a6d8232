using System.Diagnostics;
using System.Text.Json.Nodes;
using Cord19.Core.Airflow;
using Cord19.Core.Settings;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support;
using YamlDotNet.Serialization;

namespace Cord19.Tests.Hosting;

/// <summary>
/// docker-compose.yml as docker-compose itself resolves it (anchors merged, the .env values put in), with the
/// Dockerfile it builds from. No Docker engine runs here, so these read what the containers would be given.
/// </summary>
public sealed class ComposeFileTests
{
    private const string JwtSecret = "the-one-jwt-secret-of-this-test";
    private static readonly string[] AirflowServices = ["airflow-init", "airflow-api-server", "airflow-scheduler", "airflow-dag-processor"];

    [Fact]
    public async Task Airflow_3_runs_as_API_server_scheduler_and_DAG_processor_sharing_one_signing_secret()
    {
        var services = (await ResolvedAsync())["services"]!.AsObject();
        var version = new PipelineSettings().AirflowVersion;

        // Every Airflow container runs the image built from the Dockerfile's "airflow" stage, on the release the AWS target installs.
        Assert.Equal(AirflowServices.Order(), services.Where(s => (string?)s.Value!["build"]?["target"] == "airflow").Select(s => s.Key).Order());
        Assert.All(AirflowServices, name => Assert.Equal($"cord19-airflow:{version}", (string?)services[name]!["image"]));
        Assert.Contains($"FROM apache/airflow:{version} AS airflow", Dockerfile());
        Assert.Equal(["api-server", "scheduler", "dag-processor"], AirflowServices[1..].Select(name => Command(services[name]!)));
        // Before the admin is made, Airflow's tables and FAB's (its users), as on the AWS instance's first boot.
        Assert.StartsWith("airflow db migrate && airflow fab-db migrate && ", Command(services["airflow-init"]!).Split(' ', 2)[1]);

        // The scheduler signs each task's token and the API server checks it: unless they share the secret, every task is refused.
        foreach (var name in AirflowServices)
        {
            var environment = services[name]!["environment"]!;
            Assert.Equal(JwtSecret, (string?)environment["AIRFLOW__API_AUTH__JWT_SECRET"]);
            Assert.Equal(AirflowUserData.FabAuthManager, (string?)environment["AIRFLOW__CORE__AUTH_MANAGER"]);
            Assert.Equal("http://airflow-api-server:8080/execution/", (string?)environment["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"]);
        }
        Assert.Equal("http://airflow-api-server:8080", (string?)services["panel"]!["environment"]!["CORD19_AIRFLOW_URL"]);
        Assert.Contains("127.0.0.1:8081:8080", Ports(services["airflow-api-server"]!));
        // The panel's advice when its Airflow cannot be reached starts a service of this file.
        var advised = System.Text.RegularExpressions.Regex.Match(new AirflowOptions { BaseUrl = new("http://localhost:8080/") }.AddressFix, @"docker compose up (\S+)\)").Groups[1].Value;
        Assert.True(services.ContainsKey(advised), $"the advice starts '{advised}', which docker-compose.yml does not have");

        // Nothing listens beyond this machine.
        var published = services.SelectMany(s => Ports(s.Value!)).ToList();
        Assert.NotEmpty(published);
        Assert.All(published, port => Assert.StartsWith("127.0.0.1:", port));
    }

    [Fact]
    public async Task Airflow_tasks_find_the_program_the_sample_and_MinIOs_bucket_where_the_DAGs_look_by_default()
    {
        var services = (await ResolvedAsync())["services"]!.AsObject();
        var dockerfile = Dockerfile();

        // The DAGs' defaults (no Airflow Variable is set in docker-compose) are what the image provides.
        Assert.Contains($"ln -s /opt/cord19/pipeline/cord19-pipeline /usr/local/bin/{DagFiles.DefaultProgram}", dockerfile);
        Assert.Contains($"cp /opt/cord19/pipeline/SampleData/metadata_sample.csv.gz {DagFiles.DefaultMetadata}", dockerfile);
        var bucket = DagFiles.DefaultResults["s3://".Length..];
        var panel = services["panel"]!["environment"]!;
        Assert.Equal(bucket, (string?)panel["CORD19_S3_BUCKET"]);
        Assert.EndsWith($"local/{bucket}", Command(services["minio-bucket"]!));

        // The task runs in the scheduler's container (LocalExecutor) and writes to MinIO with MinIO's keys.
        var scheduler = services["airflow-scheduler"]!["environment"]!;
        var minio = services["minio"]!["environment"]!;
        Assert.Equal("LocalExecutor", (string?)scheduler["AIRFLOW__CORE__EXECUTOR"]);
        Assert.Equal((string?)panel["CORD19_S3_ENDPOINT"], (string?)scheduler["CORD19_S3_ENDPOINT"]);
        Assert.Equal((string?)minio["MINIO_ROOT_USER"], (string?)scheduler["AWS_ACCESS_KEY_ID"]);
        Assert.Equal((string?)minio["MINIO_ROOT_PASSWORD"], (string?)scheduler["AWS_SECRET_ACCESS_KEY"]);
        // The other Airflow containers run no task: they are not given MinIO's keys.
        Assert.All(AirflowServices.Where(name => name != "airflow-scheduler"), name => Assert.Null(services[name]!["environment"]!["AWS_SECRET_ACCESS_KEY"]));
    }

    [Fact]
    public async Task The_panel_runs_as_the_images_unprivileged_user_with_no_capabilities_and_owns_its_data_folder()
    {
        var panel = (await ResolvedAsync())["services"]!["panel"]!;
        var stage = Dockerfile().Split("\nFROM ")[^1].Split('\n');

        // The panel's stage ends as the .NET image's user app (uid $APP_UID): nothing after it runs as root.
        var user = Array.FindLastIndex(stage, line => line.StartsWith("USER ", StringComparison.Ordinal));
        Assert.True(user >= 0, "The panel's stage of the Dockerfile sets no USER: it would run as root.");
        Assert.Equal("USER $APP_UID", stage[user]);
        Assert.DoesNotContain(stage[user..], line => line.StartsWith("RUN ", StringComparison.Ordinal));
        Assert.Contains(stage, line => line.Contains("install -d -o \"$APP_UID\" -g \"$APP_UID\" -m 0700 /data", StringComparison.Ordinal));
        Assert.Null(panel["user"]);

        // What the panel reads and writes is where that user finds it.
        Assert.Equal("/data", (string?)panel["environment"]!["CORD19_DATA_DIR"]);
        var mounts = panel["volumes"]!.AsArray().Select(v => v is JsonObject o ? $"{(string?)o["source"]}:{(string?)o["target"]}" : (string)v!).ToList();
        Assert.Contains(mounts, m => m.StartsWith("panel-data:/data", StringComparison.Ordinal));
        Assert.Contains(mounts, m => m.Contains(":/home/app/.aws", StringComparison.Ordinal));
        Assert.DoesNotContain(mounts, m => m.Contains(":/root", StringComparison.Ordinal));

        Assert.Equal(["ALL"], panel["cap_drop"]!.AsArray().Select(c => (string?)c));
        Assert.Contains("no-new-privileges:true", panel["security_opt"]!.AsArray().Select(o => (string?)o));

        // The image cannot be changed from inside: the panel writes its data folder and /tmp (S3 spools, .NET's
        // diagnostics socket) alone; ReadOnlyRootTests runs the built panel so, through phases 1 to 7.
        // docker-compose 1 writes it as the string "true", Compose 2 as a boolean.
        Assert.True(panel["read_only"]?.ToString() is "true" or "True", "The panel's root filesystem is writable: set read_only: true.");
        Assert.Contains(mounts, m => m.StartsWith("panel-tmp:/tmp", StringComparison.Ordinal));
    }

    /// <summary>
    /// A reverse proxy on the host (the README's way to open the panel to others) reaches the container through the
    /// published port, so the panel sees it at the compose network's gateway, not at loopback: unless it is named there,
    /// the organisation's sign-in comes back over http, the cookie is not Secure and every client shares one throttle.
    /// Another container of the network is not the proxy.
    /// </summary>
    [Fact]
    public async Task A_proxy_on_the_host_is_believed_from_the_networks_gateway_and_from_no_container()
    {
        var resolved = await ResolvedAsync();
        var network = resolved["networks"]!["default"]!["ipam"]!["config"]![0]!;
        var subnet = System.Net.IPNetwork.Parse((string)network["subnet"]!);
        var gateway = System.Net.IPAddress.Parse((string)network["gateway"]!);
        Assert.True(subnet.Contains(gateway), $"The gateway {gateway} is outside the network {subnet}.");
        var container = new System.Net.IPAddress(subnet.BaseAddress.GetAddressBytes()[..3].Append((byte)5).ToArray());

        var trusted = (string)resolved["services"]!["panel"]!["environment"]!["CORD19_TRUSTED_PROXIES"]!;
        await using var app = new WebAppFactory(settings: new Dictionary<string, string> { ["CORD19_TRUSTED_PROXIES"] = trusted });

        Assert.True(await ForwardedSignIn.IsCookieSecureAsync(app, gateway.ToString()), $"The proxy at the gateway {gateway} is not believed.");
        Assert.False(await ForwardedSignIn.IsCookieSecureAsync(app, container.ToString()), $"A container at {container} is believed as the proxy.");
    }

    // docker-compose 1 (Debian 12) writes a command as it was given and a port as "host:published:target/tcp";
    // Compose 2 (Debian 13) writes a command as a list and a port as an object.
    private static string Command(JsonNode service) =>
        service["command"] is JsonArray parts ? string.Join(" ", parts.Select(p => (string?)p)) : (string)service["command"]!;

    private static IEnumerable<string> Ports(JsonNode service) =>
        (service["ports"]?.AsArray() ?? []).Select(p => p is JsonObject o
            ? $"{(string?)o["host_ip"]}:{(string?)o["published"]}:{(string?)o["target"]}"
            : ((string)p!).Split('/')[0]);

    private static string Dockerfile() => File.ReadAllText(Path.Combine(RunningApp.RepositoryRoot(), "Dockerfile"));

    /// <summary><c>docker-compose config</c>'s answer as JSON; ./test.sh installs docker-compose.</summary>
    private static async Task<JsonNode> ResolvedAsync()
    {
        var start = new ProcessStartInfo("docker-compose", ["-f", "docker-compose.yml", "config"])
        {
            WorkingDirectory = RunningApp.RepositoryRoot(), RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var (name, value) in new Dictionary<string, string>
        {
            ["CORD19_ACCESS_TOKEN"] = "placeholder-token-0000", ["POSTGRES_PASSWORD"] = "postgres-password", ["MINIO_ROOT_PASSWORD"] = "minio-password",
            ["AIRFLOW_DB_PASSWORD"] = "airflow-db-password", ["AIRFLOW_ADMIN_PASSWORD"] = "airflow-admin-password",
            ["AIRFLOW_JWT_SECRET"] = JwtSecret, ["AIRFLOW_SECRET_KEY"] = "airflow-secret-key",
        })
            start.Environment[name] = value;
        Process process;
        try { process = Process.Start(start)!; }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException("docker-compose is not installed: run ./test.sh, which installs it (apt), or install it yourself.");
        }
        using (process)
        {
            var yaml = process.StandardOutput.ReadToEndAsync();
            var errors = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"docker-compose config: {errors}");
            var tree = new DeserializerBuilder().Build().Deserialize(new StringReader(await yaml));
            return JsonNode.Parse(new SerializerBuilder().JsonCompatible().Build().Serialize(tree))!;
        }
    }
}
