using System.Text.Json;
using Cord19.Core.Deployments;
using Cord19.Core.Settings;
using Cord19.Core.Targets.Aws;
using Cord19.Tests.Support;

namespace Cord19.Tests.Aws;

public sealed class AirflowUserDataTests
{
    [Theory]
    [InlineData("2.10.5", "airflow-webserver", "basic_auth")]
    [InlineData("3.2.1", "airflow-api-server", "AIRFLOW__CORE__AUTH_MANAGER=airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager")]
    public async Task The_first_boot_script_is_valid_bash_and_installs_the_chosen_Airflow_without_a_password_in_it(string version, string service, string auth)
    {
        var names = new AwsNames(Guid.Parse("1a2b3c4d-0000-4000-8000-000000000000"), "123456789012", "us-east-2");
        var script = AirflowUserData.Render(version, "us-east-2", names, TimeSpan.FromHours(8));
        // bash -n parses the whole script (heredocs, quoting) without running it.
        await ShellSyntax.AssertParsesAsync("/bin/bash", script);
        Assert.StartsWith("#!/bin/bash\n", script);
        // The instance ends itself at the maximum lifetime, set up before anything else can fail, and again at every boot.
        Assert.True(script.IndexOf($"systemctl enable --now {InstanceEndOfLife.Unit}", StringComparison.Ordinal) < script.IndexOf("apt-get", StringComparison.Ordinal));
        Assert.Contains($"echo $(( $(date +%s) + 28800 )) > {InstanceEndOfLife.DeadlineFile}", script);
        Assert.Contains($"cat > {InstanceEndOfLife.Program} <<'EOL'\n{InstanceEndOfLife.Script}\nEOL\n", script);
        Assert.Contains($"ExecStart={InstanceEndOfLife.Program} {InstanceEndOfLife.DeadlineFile}\n", script);
        Assert.Contains("WantedBy=multi-user.target\nUNIT\nsystemctl daemon-reload\nsystemctl enable --now cord19-end-of-life.service\n", script);
        Assert.Contains($"AIRFLOW_VERSION={version}", script);
        Assert.Contains("constraints-${AIRFLOW_VERSION}/constraints-${PYTHON_VERSION}.txt", script);
        Assert.Contains($"/etc/systemd/system/{service}.service", script);
        Assert.Equal(version.StartsWith('3'), script.Contains("/etc/systemd/system/airflow-dag-processor.service", StringComparison.Ordinal));
        // No triggerer, which only runs deferred tasks: the DAGs' BashOperators never defer.
        Assert.DoesNotContain("triggerer", script);
        Assert.Contains(auth, script);
        // The admin's password is hashed in Airflow's database (FAB, both releases), never kept in a plain file.
        Assert.Contains("airflow users create --username admin --password \"$0\"", script);
        Assert.DoesNotContain("SimpleAuthManager", script);
        Assert.DoesNotContain("passwords", script);
        Assert.Contains(version.StartsWith('3') ? "\"apache-airflow[postgres,fab]==${AIRFLOW_VERSION}\"" : "\"apache-airflow[postgres]==${AIRFLOW_VERSION}\"", script);
        Assert.Contains("get_parameter(Name=sys.argv[1], WithDecryption=True)", script);
        Assert.Contains("ADMIN_PASSWORD=$(ssm_get '/cord19/1a2b3c4d/airflow-admin-password')", script);
        // TLS: the key and certificate come from SSM; nginx serves 8080 with them; Airflow listens on loopback only.
        Assert.Contains("ssm_get '/cord19/1a2b3c4d/airflow-tls-key' > /etc/cord19/tls/airflow.key", script);
        Assert.Contains("listen 8080 ssl;", script);
        Assert.Contains($"proxy_pass http://127.0.0.1:{AirflowUserData.InternalPort};", script);
        Assert.Matches(@"(--hostname|--host) 127\.0\.0\.1 --port 8081", script);
        Assert.DoesNotContain("BEGIN", script); // no key material in the user data
        // apt waits for cloud-init's and unattended-upgrades' locks instead of failing the first boot.
        Assert.Contains("DPkg::Lock::Timeout=", script);
        Assert.DoesNotContain("admin:admin@", script);
        Assert.DoesNotContain("--password admin", script);
        Assert.True(script.Length < 16_384, $"EC2 user data is limited to 16 KB; this is {script.Length} bytes");
        // Airflow 3's scheduler and API server share one JWT secret, made on the instance (left unset, each process
        // makes up its own and every task is refused); Airflow 2 has no such token.
        Assert.Equal(version.StartsWith('3'), script.Contains("AIRFLOW__API_AUTH__JWT_SECRET=$(openssl rand -hex 32)", StringComparison.Ordinal));
        Assert.Equal(version.StartsWith('3'), script.Contains("JWT", StringComparison.Ordinal));
        // A task's token lives as long as the instance may (8 h here), and the execution API is not served to the outside.
        Assert.Equal(version.StartsWith('3'), script.Contains("AIRFLOW__EXECUTION_API__JWT_EXPIRATION_TIME=28800", StringComparison.Ordinal));
        Assert.Contains("location /execution/ { return 404; }", script);
        // Airflow 3's FAB tables are migrated by FAB's own command too, after Airflow's and before the admin is made.
        var fabMigrate = script.IndexOf("/opt/airflow/venv/bin/airflow fab-db migrate'\n", StringComparison.Ordinal);
        Assert.Equal(version.StartsWith('3'), fabMigrate > script.IndexOf("/opt/airflow/venv/bin/airflow db migrate'\n", StringComparison.Ordinal)
            && fabMigrate < script.IndexOf("airflow users create", StringComparison.Ordinal));
        // Phase 3 puts the DAG file in the folder after Airflow has started: Airflow looks for it every 30 s, not every 300.
        Assert.Contains(version.StartsWith('3') ? "\nAIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL=30\n" : "\nAIRFLOW__SCHEDULER__DAG_DIR_LIST_INTERVAL=30\n", script);
    }

    /// <summary>
    /// Every Airflow command the first boot runs, line by line, and the services it starts: each one missing or run on the
    /// wrong line would leave a billed instance with no Airflow, and the admin's line without its argument would make the
    /// admin's password "bash" (bash -c's $0 when nothing follows).
    /// </summary>
    [Theory]
    [InlineData("3.2.1", "db migrate|fab-db migrate", "api-server --host 127.0.0.1 --port 8081|scheduler|dag-processor")]
    [InlineData("2.10.5", "db migrate", "webserver --hostname 127.0.0.1 --port 8081|scheduler")]
    public void The_first_boot_migrates_makes_the_admin_with_the_password_from_SSM_and_starts_each_service(string version, string migrations, string services)
    {
        var names = new AwsNames(Guid.Parse("1a2b3c4d-0000-4000-8000-000000000000"), "123456789012", "us-east-2");
        var lines = AirflowUserData.Render(version, "us-east-2", names, TimeSpan.FromHours(8)).Split('\n');
        const string asAirflow = "sudo -u airflow -E bash -c 'set -a; . /etc/cord19/airflow.env; /opt/airflow/venv/bin/airflow ";

        Assert.Equal([.. migrations.Split('|').Select(m => $"{asAirflow}{m}'"),
                      $"{asAirflow}users create --username admin --password \"$0\" --firstname CORD-19 --lastname Admin --role Admin --email admin@cord19.invalid' \"$ADMIN_PASSWORD\""],
            lines.Where(l => l.StartsWith(asAirflow, StringComparison.Ordinal)));
        var units = services.Split('|').Select(command => (Unit: $"airflow-{command.Split(' ')[0]}", Command: command)).ToList();
        foreach (var (unit, command) in units)
        {
            var start = Array.IndexOf(lines, $"cat > /etc/systemd/system/{unit}.service <<'UNIT'");
            Assert.True(start >= 0, unit);
            Assert.Equal($"ExecStart=/opt/airflow/venv/bin/airflow {command}", lines.Skip(start).First(l => l.StartsWith("ExecStart=", StringComparison.Ordinal)));
        }
        Assert.Contains($"systemctl enable --now {string.Join(' ', units.Select(u => u.Unit))}", lines);
    }

    /// <summary>A task's token lives as long as the instance may, whatever that is; 8 hours with no maximum lifetime.</summary>
    [Theory]
    [InlineData(24, "86400")]
    [InlineData(null, "28800")]
    public void A_tasks_token_lives_as_long_as_the_instance_may(int? hours, string seconds)
    {
        var names = new AwsNames(Guid.Parse("1a2b3c4d-0000-4000-8000-000000000000"), "123456789012", "us-east-2");
        var script = AirflowUserData.Render("3.2.1", "us-east-2", names, hours is { } h ? TimeSpan.FromHours(h) : null);
        Assert.Contains($"\nAIRFLOW__EXECUTION_API__JWT_EXPIRATION_TIME={seconds}\n", script);
    }

    /// <summary>
    /// The script's own first lines, run by bash with a command that fails inside a function after them: the ERR trap must
    /// print the marker the panel looks for (set -E carries it into functions, as ssm_get is one), then the script stops.
    /// </summary>
    [Fact]
    public async Task A_failing_command_of_the_first_boot_script_prints_the_marker_the_panel_reads_and_stops_the_script()
    {
        var names = new AwsNames(Guid.Parse("1a2b3c4d-0000-4000-8000-000000000000"), "123456789012", "us-east-2");
        var lines = AirflowUserData.Render("3.2.2", "us-east-2", names).Split('\n');
        var header = lines.Where(l => l.StartsWith("set -", StringComparison.Ordinal) || l.StartsWith("trap ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, header.Count);
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("boot.sh"), string.Join('\n', ["#!/bin/bash", .. header, "fetch() { false; }", "echo installing", "fetch", "echo never"]) + "\n");

        using var bash = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/bin/bash", [dir.File("boot.sh")]) { RedirectStandardOutput = true })!;
        var output = await bash.StandardOutput.ReadToEndAsync();
        await bash.WaitForExitAsync();

        Assert.Equal($"installing\n{AirflowUserData.SetupFailed} at line 4 (exit 1)\n", output);
        Assert.NotEqual(0, bash.ExitCode);
    }

    [Fact]
    public void The_instance_role_reads_only_its_own_deployments_bucket_and_its_Airflows_parameters()
    {
        var names = new AwsNames(Guid.Parse("1a2b3c4d-0000-4000-8000-000000000000"), "123456789012", "us-east-2");
        var role = AwsRoles.InstanceFor(names, "us-east-2");
        using var policy = JsonDocument.Parse(role.InlinePolicy);
        var statements = policy.RootElement.GetProperty("Statement").EnumerateArray()
            .Select(s => (Actions: s.GetProperty("Action").EnumerateArray().Select(a => a.GetString()!).ToList(),
                          Resources: s.GetProperty("Resource").EnumerateArray().Select(r => r.GetString()!).ToList()))
            .ToList();

        // No managed policy can be attached (RoleSpec has none): AmazonSSMManagedInstanceCore would grant ssm:GetParameter* on every parameter.
        Assert.Contains("ssm:UpdateInstanceInformation", statements.SelectMany(s => s.Actions));
        Assert.All(statements.SelectMany(s => s.Actions), a => Assert.False(a.EndsWith('*'), $"wildcard action {a}"));
        var parameterReads = statements.Where(s => s.Actions.Any(a => a.StartsWith("ssm:GetParameter", StringComparison.Ordinal))).ToList();
        // Not the Redshift password beside them: only the panel uses it, and a compromised Airflow must not read it.
        Assert.Equal(
        [
            "arn:aws:ssm:us-east-2:123456789012:parameter/cord19/1a2b3c4d/airflow-admin-password",
            "arn:aws:ssm:us-east-2:123456789012:parameter/cord19/1a2b3c4d/airflow-tls-key",
            "arn:aws:ssm:us-east-2:123456789012:parameter/cord19/1a2b3c4d/airflow-tls-certificate",
        ], parameterReads.SelectMany(s => s.Resources));
        var s3 = statements.Where(s => s.Actions.Any(a => a.StartsWith("s3:", StringComparison.Ordinal))).SelectMany(s => s.Resources).ToList();
        Assert.Equal(["arn:aws:s3:::cord19-1a2b3c4d-123456789012-us-east-2-an", "arn:aws:s3:::cord19-1a2b3c4d-123456789012-us-east-2-an/*"], s3);
        // And only while the bucket is this account's.
        Assert.All(policy.RootElement.GetProperty("Statement").EnumerateArray().Where(s => s.GetProperty("Action")[0].GetString()!.StartsWith("s3:", StringComparison.Ordinal)),
            s => Assert.Equal("123456789012", s.GetProperty("Condition").GetProperty("StringEquals").GetProperty("aws:ResourceAccount").GetString()));
        Assert.Equal("/cord19/1a2b3c4d-0000-4000-8000-000000000000/", role.Path);
        Assert.True(role.WithInstanceProfile);
        Assert.Equal("redshift.amazonaws.com", AwsRoles.SpectrumIn("123456789012").TrustedService);
    }

    [Fact]
    public void The_Spectrum_role_reads_the_lake_lists_its_buckets_and_writes_only_the_exports()
    {
        using var policy = JsonDocument.Parse(AwsRoles.SpectrumIn("123456789012").InlinePolicy);
        var grants = policy.RootElement.GetProperty("Statement").EnumerateArray()
            .SelectMany(s => s.GetProperty("Action").EnumerateArray().SelectMany(a => s.GetProperty("Resource").EnumerateArray().Select(r => (Action: a.GetString()!, Resource: r.GetString()!))))
            .Where(g => g.Action.StartsWith("s3:", StringComparison.Ordinal))
            .ToHashSet();

        // GET and LIST on each bucket it reads or writes, as AWS's Spectrum page asks (its example grants s3:Get* and s3:List*).
        Assert.Contains(("s3:GetObject", "arn:aws:s3:::covid19-lake/*"), grants);
        Assert.Contains(("s3:ListBucket", "arn:aws:s3:::covid19-lake"), grants);
        Assert.Contains(("s3:GetBucketLocation", "arn:aws:s3:::covid19-lake"), grants);
        Assert.Contains(("s3:ListBucket", "arn:aws:s3:::cord19-*"), grants);
        Assert.Contains(("s3:GetBucketLocation", "arn:aws:s3:::cord19-*"), grants);
        Assert.Equal([("s3:PutObject", "arn:aws:s3:::cord19-*/exports/*")], grants.Where(g => g.Action == "s3:PutObject"));
        Assert.DoesNotContain(grants, g => g.Action.EndsWith('*') || g.Resource == "*" || g.Action is "s3:DeleteObject" or "s3:DeleteBucket");
        // The project's buckets only while they are the account's own; AWS's lake is another account's, and so unconditioned.
        foreach (var statement in policy.RootElement.GetProperty("Statement").EnumerateArray())
        {
            var onProjectBuckets = statement.GetProperty("Resource").EnumerateArray().Any(r => r.GetString()!.StartsWith("arn:aws:s3:::cord19-", StringComparison.Ordinal));
            Assert.Equal(onProjectBuckets ? "123456789012" : null,
                statement.TryGetProperty("Condition", out var condition) ? condition.GetProperty("StringEquals").GetProperty("aws:ResourceAccount").GetString() : null);
        }
    }

    [Fact]
    public void The_deployment_bucket_refuses_every_request_without_TLS_and_only_those()
    {
        using var policy = JsonDocument.Parse(AwsCloud.TlsOnlyPolicy("cord19-1a2b3c4d-123456789012-us-east-2-an"));
        var statement = Assert.Single(policy.RootElement.GetProperty("Statement").EnumerateArray());
        Assert.Equal(("Deny", "*", "s3:*"), (statement.GetProperty("Effect").GetString(), statement.GetProperty("Principal").GetString(), statement.GetProperty("Action").GetString()));
        Assert.Equal(["arn:aws:s3:::cord19-1a2b3c4d-123456789012-us-east-2-an", "arn:aws:s3:::cord19-1a2b3c4d-123456789012-us-east-2-an/*"],
            statement.GetProperty("Resource").EnumerateArray().Select(r => r.GetString()));
        var condition = Assert.Single(statement.GetProperty("Condition").EnumerateObject());
        Assert.Equal(("Bool", "aws:SecureTransport", "false"), (condition.Name, condition.Value.EnumerateObject().Single().Name, condition.Value.EnumerateObject().Single().Value.GetString()));
    }

    [Theory]
    [InlineData("us-east-2", "2.10.5", null, true)]
    [InlineData("eu-central-1", "3.1.0", "203.0.113.7/32", true)]
    [InlineData("us-east-two", "2.10.5", null, false)]
    [InlineData("us-eats-2", "2.10.5", null, false)]
    [InlineData("xx-east-2", "2.10.5", null, false)]
    [InlineData("us-east-2", "latest", null, false)]
    [InlineData("us-east-2", "1.10.15", null, false)]
    [InlineData("us-east-2", "2.10.5", "0.0.0.0/0", false)]
    [InlineData("us-east-2", "2.10.5", "203.0.113.7", false)]
    [InlineData("us-east-2", "2.10.5", "203.0.113.0/24", true)]
    [InlineData("us-east-2", "2.10.5", "203.0.113.7/15", false)]
    // Shorthands .NET reads as other addresses (203.0.0.113, 8.0.0.1 in octal), which AWS would refuse only at phase 1.
    [InlineData("us-east-2", "2.10.5", "203.0.113/24", false)]
    [InlineData("us-east-2", "2.10.5", "010.0.0.1/32", false)]
    [InlineData("us-east-2", "2.10.5", "::1/128", false)]
    public void AWS_settings_are_checked_before_anything_reaches_AWS(string region, string airflow, string? cidr, bool valid)
    {
        var settings = new PipelineSettings { Target = DeploymentTarget.Aws, AwsRegion = region, AirflowVersion = airflow, OperatorCidr = cidr };

        var errors = settings.Validate();

        Assert.True(valid == (errors.Count == 0), string.Join(" ", errors));
        Assert.All(errors, e => Assert.Matches(": (use|write)", e));
    }

    [Fact]
    public void Only_the_local_target_may_run_without_a_maximum_lifetime()
    {
        // On AWS the lifetime is what ends a forgotten instance when no panel runs.
        var problems = new PipelineSettings { Target = DeploymentTarget.Aws, MaxLifetimeHours = null }.Problems();

        var problem = Assert.Single(problems);
        Assert.Equal(nameof(PipelineSettings.MaxLifetimeHours), problem.Field);
        Assert.Contains("The AWS target needs a maximum lifetime", problem.Message);
        Assert.Contains("Give 0.05 to 2,160 hours", problem.Message);
        Assert.Empty(new PipelineSettings { Target = DeploymentTarget.Local, MaxLifetimeHours = null }.Problems());
        Assert.Empty(new PipelineSettings { Target = DeploymentTarget.Aws, MaxLifetimeHours = 24 }.Problems());
    }

    [Theory]
    [InlineData("final", true)]
    [InlineData("2022-06-02", true)]
    [InlineData("https://mirror.example.org/cord19/metadata.csv.gz", true)]
    [InlineData("s3://a-bucket/2022-06-02/metadata.csv", true)]
    [InlineData("2022-13-01", false)]
    [InlineData("latest", false)]
    [InlineData("https://mirror.example.org/x'; rm -rf /; echo '", false)]
    [InlineData("ftp://mirror.example.org/metadata.csv", false)]
    public void A_release_for_the_instance_is_a_date_final_or_a_mirror_that_cannot_break_out_of_its_quotes(string release, bool valid)
    {
        var settings = new PipelineSettings { Target = DeploymentTarget.Aws, AwsMetadataSource = PipelineSettings.ReleaseMetadataSource, AwsRelease = release };

        var errors = settings.Validate();

        Assert.True(valid == (errors.Count == 0), string.Join(" ", errors));
        Assert.All(errors, e => Assert.Contains("use a date such as 2022-06-02, 'final', or a mirror's", e));
    }
}
