using Cord19.Core.Airflow;
using Cord19.Core.Aws;
using Cord19.Core.Execution;

namespace Cord19.Core.Targets.Aws;

public sealed partial class AwsTarget
{
    /// <summary>Phase 1: the deployment's bucket, the instance role, the admin password, the network rule, the spot instance, Airflow.</summary>
    private async Task DeployInstanceAsync(AwsRun run)
    {
        var (context, cloud, names) = run;
        // Both judge what the launch will use: once the instance is launched (phase 1 run again), neither can change it.
        var launched = false;
        await context.StepAsync("airflow-release", async ct =>
        {
            if (await cloud.FindInstanceAsync(names.DeploymentId, ct) is { HasEnded: false } instance)
            {
                launched = true;
                await context.LogAsync($"Instance {instance.InstanceId} is launched already, and installs Airflow at its first boot: the release is not looked up again, nor the instance type.");
                return;
            }
            await CheckAirflowReleaseAsync(run, ct);
        });
        if (!launched)
        {
            await context.StepAsync("instance-type", ct => CheckInstanceTypeAsync(run, ct));
            await context.StepAsync("public-address", async ct =>
            {
                var (vpc, subnets) = (await cloud.DefaultVpcAsync(ct), await cloud.DefaultSubnetsAsync(ct));
                await RefuseOrLogAsync(context, PublicAddressCheck.Judge(vpc, subnets));
                // An instance behind a blocked internet gateway would bill through the whole wait for an Airflow it cannot install.
                await RefuseOrLogAsync(context, await VpcPublicAccessCheck.JudgeAsync(cloud, vpc, subnets, ct));
            });
            await context.StepAsync("role-boundary", ct => CheckRoleBoundaryAsync(run, Phase1Stopped, ct));
        }

        await context.StepAsync("bucket", async ct =>
        {
            var entry = await run.Context.RecordResourceAsync(AwsResourceKinds.Bucket, names.Bucket, "Results and the files shipped to the instance");
            IReadOnlyList<string> unsupported;
            try
            {
                unsupported = await cloud.EnsureBucketAsync(names.AccountBucket, names.BucketInAccountNamespace, Tags(run), ct);
            }
            catch (AwsException ex) when (ex.Code == "BucketAlreadyExists")
            {
                // Not ours, so not the ledger's: phase 7 must neither copy "results" from it nor try to delete it.
                await context.MarkResourceDeletedAsync(entry.Id);
                throw new PhaseFailedException(
                    $"Another AWS account holds the bucket name {names.Bucket}: in S3's global namespace a deleted bucket's name is anyone's to take. " +
                    "Nothing was put in it. Run phase 7, then phase 1: a new deployment has a new name.", ex);
            }
            var where = names.BucketInAccountNamespace ? "in this account's own namespace, so no other account can ever hold its name"
                : AccountRegionalBuckets.OfferedIn(cloud.Region) ? "in S3's global namespace, where an earlier version of the panel made it"
                : $"in S3's global namespace ({cloud.Region} has no account regional one)";
            if (unsupported.Count > 0)
                await context.LogAsync($"This S3 server (an S3-compatible server, not AWS) did not take {string.Join(" and ", unsupported)}: it does not implement them, " +
                    "or, for the TLS-only bucket policy, the panel reaches it over plain HTTP, which that policy would refuse. The bucket is recorded in the ledger but not fully hardened or tagged.", Deployments.LogLevel.Warning);
            await context.LogAsync($"Bucket s3://{names.Bucket}, {where}" +
                (unsupported.Count == 0 ? ": public access blocked, encrypted by default, reachable over TLS only, tagged." : "."));
        });

        await context.StepAsync("instance-role", async ct =>
        {
            // The deployment's own role: the instance may read this deployment's bucket and its Airflow's parameters, nothing of another's.
            await context.RecordResourceAsync(AwsResourceKinds.Role, names.InstanceRole, "The instance's role and instance profile (this deployment's bucket and Airflow parameters only)");
            await cloud.EnsureRoleAsync(AwsRoles.InstanceFor(names, cloud.Region), names.Account, ct);
            await context.LogAsync($"Role and instance profile {names.InstanceRole}: SSM agent, s3://{names.Bucket} and its Airflow password, key and certificate parameters only.");
        });

        await context.StepAsync("admin-password", async ct =>
        {
            if (await cloud.GetSecretAsync(names.AirflowPasswordParameter, ct) is null && await cloud.FindInstanceAsync(names.DeploymentId, ct) is { HasEnded: false } instance)
                // A new password now would lock the panel out: the running instance set up Airflow with the old one.
                throw new PhaseFailedException(
                    $"The Airflow password parameter {names.AirflowPasswordParameter} is gone, but instance {instance.InstanceId} still runs Airflow with the old password, " +
                    "so a new one would lock the panel out. Rotate it on the instance: 'Rotate the Airflow password' on the AWS page " +
                    "(POST /api/aws/airflow-password/rotate) puts a new one in SSM and sets it in Airflow there; then run phase 1 again. Or run phase 7 and start over.");
            await EnsurePasswordAsync(run, names.AirflowPasswordParameter, "Airflow admin password", ct);
        });

        await context.StepAsync("tls-certificate", async ct =>
        {
            await context.RecordResourceAsync(AwsResourceKinds.Parameter, names.AirflowTlsKeyParameter, "Airflow's TLS private key (SecureString)");
            await context.RecordResourceAsync(AwsResourceKinds.Parameter, names.AirflowCertificateParameter, "Airflow's self-signed certificate, pinned by the panel");
            if (await cloud.GetSecretAsync(names.AirflowCertificateParameter, ct) is { } existing && await cloud.GetSecretAsync(names.AirflowTlsKeyParameter, ct) is not null)
            {
                await context.LogAsync($"Airflow's certificate is in place (SHA-256 {AirflowCertificate.Sha256Of(existing)}).");
                return;
            }
            if (await cloud.FindInstanceAsync(names.DeploymentId, ct) is { HasEnded: false } instance)
                throw new PhaseFailedException(
                    $"Airflow's certificate or key parameter is gone while instance {instance.InstanceId} still serves the old certificate, which the panel can no longer pin. Run phase 7, then phase 1.");
            var certificate = AirflowCertificate.Create($"{ResourceTags.Name(names.DeploymentId)}.airflow.invalid", clock.GetUtcNow());
            await cloud.PutSecretAsync(names.AirflowTlsKeyParameter, certificate.KeyPem, Tags(run), ct);
            await cloud.PutSecretAsync(names.AirflowCertificateParameter, certificate.CertificatePem, Tags(run), ct);
            await context.LogAsync($"Made Airflow's key pair and self-signed certificate (SHA-256 {certificate.Sha256}, pinned by the panel); the key reaches the instance only through SSM Parameter Store.");
        });

        // The group's id goes to the launch as it came: a group made seconds before may not be found by its name yet.
        string? airflowGroup = null;
        await context.StepAsync("security-group", async ct =>
        {
            var (group, vpc, cidr) = await EnsureSecurityGroupAsync(run, names.AirflowSecurityGroup,
                "CORD-19 Airflow: HTTPS web UI and API for the operator only", AwsNames.AirflowPort, ct);
            airflowGroup = group;
            await context.LogAsync($"Security group {group} in {vpc}: port {AwsNames.AirflowPort} (HTTPS) open to {cidr} only; no SSH (commands go through SSM).");
        });

        InstanceState? spot = null;
        await context.StepAsync("spot-instance", async ct => spot = await LaunchOrFindInstanceAsync(run, airflowGroup!, ct));

        var running = await WaitForInstanceAsync(run, spot!.InstanceId);
        await context.StepAsync("airflow-health", _ => WaitForAirflowAsync(run, running));
    }

    /// <summary>
    /// Before anything is created: a release PyPI does not have (a typo), has withdrawn, or that does not support the
    /// instance's Python would fail, or be wrong, only on the instance, after the launch and the 30-minute wait for Airflow. Known vulnerabilities and a later release are
    /// said in the log; a PyPI out of reach is said too, and does not stop the phase (the instance reaches PyPI on its own).
    /// </summary>
    private async Task CheckAirflowReleaseAsync(AwsRun run, CancellationToken ct)
    {
        var context = run.Context;
        var version = context.Settings.AirflowVersion;
        AirflowReleaseFacts facts;
        try
        {
            facts = await airflowReleases.LookUpAsync(version, ct);
        }
        catch (PackageIndexUnreachableException ex)
        {
            await context.LogAsync($"{ex.Message} Going on: the instance installs Airflow {version} from PyPI itself.", Deployments.LogLevel.Warning);
            return;
        }
        await RefuseOrLogAsync(context, AirflowReleaseCheck.Judge(facts, options.InstancePython), refuse: !facts.InstallableOn(options.InstancePython));
    }

    /// <summary>
    /// Before anything is created: an instance type EC2 does not know, whose processor cannot run the image (an Arm type), or
    /// that EC2 does not sell as spot, would fail only at the launch, with the bucket, role and group already made; so would
    /// such a fallback type, once the first choice is refused. Too little memory and a burstable type are said in the log.
    /// </summary>
    private async Task CheckInstanceTypeAsync(AwsRun run, CancellationToken ct)
    {
        var (context, cloud, _) = run;
        var line = InstanceTypeCheck.Judge(await cloud.InstanceTypeAsync(context.Settings.InstanceType, ct), context.Settings.InstanceType, cloud.Region,
            options.InstanceArchitecture);
        await RefuseOrLogAsync(context, line);
        await RefuseOrLogAsync(context, await InstanceTypeCheck.JudgeFallbacksAsync(cloud, context.Settings, options.InstanceArchitecture, ct));
    }

    /// <summary>
    /// Waits for the instance the launch answered with, found by its id among the deployment's: EC2's API is eventually
    /// consistent, and may not list an instance for a while after RunInstances ("Eventual consistency in the Amazon EC2
    /// API"), when the deployment's newest listed one may be the interrupted instance it replaces. Not listed yet is waited
    /// out as pending is, within the same limit.
    /// </summary>
    private async Task<InstanceState> WaitForInstanceAsync(AwsRun run, string instanceId)
    {
        var (context, cloud, names) = run;
        InstanceState? running = null;
        DateTimeOffset? addressless = null;
        var listed = false;
        await context.StepAsync("instance-running", async _ =>
        {
            running = await Poll.UntilAsync(context, "the spot instance running with a public address", options.InstanceStartLimit, async ct =>
            {
                var state = (await cloud.FindInstancesAsync(names.DeploymentId, ct)).FirstOrDefault(i => i.InstanceId == instanceId);
                listed = state is not null;
                if (state is null) return null;
                if (state.HasEnded)
                    throw new PhaseFailedException(
                        $"The spot instance {state.InstanceId} is {state.State}: {state.EndedBecause}" +
                        (state.SpotState is { } s ? $" (spot request {s})" : "") + ". Run phase 1 again for a replacement in this deployment (perhaps with another instance type or a higher max price first).");
                // EC2 gives the address at launch or never: the default subnet it landed in does not assign one. Without it
                // the first boot cannot reach apt or PyPI (the default VPC's way out is its internet gateway) and the panel
                // cannot reach Airflow, so waiting out the limit would only bill.
                if (state is not { State: "running", PublicIp: null })
                    addressless = null;
                else if ((addressless ??= clock.GetUtcNow()) + options.AddresslessGrace <= clock.GetUtcNow())
                    throw new PhaseFailedException(
                        $"The spot instance {state.InstanceId} is running without a public IPv4 address: the default subnet it was launched in does not assign one, " +
                        "so its first boot cannot reach apt or PyPI and the panel cannot reach its Airflow. " +
                        await TerminateUnusableInstanceAsync(run, state.InstanceId, "it has no public IPv4 address", ct) +
                        " Turn on auto-assign public IPv4 addresses for the default VPC's subnets (VPC console → Subnets → Edit subnet settings), then run phase 1 again for a replacement.");
                return state is { State: "running", PublicIp: not null } ? state : null;
            }, _ => Task.FromResult<string?>(listed ? null
                : $"EC2 launched {instanceId} but does not list it: its API is eventually consistent, though not usually for this long. Running phase 1 again " +
                  "asks EC2 under the same client token, so it finds this instance rather than launching another. "));
            await context.LogAsync($"Instance {running.InstanceId} running at {running.PublicIp}.");
        });
        return running!;
    }

    private Task<IAirflowClient> ConnectAirflowAsync(AwsRun run, InstanceState instance) =>
        InstanceAirflow.ConnectAsync(airflow, run.Cloud, run.Names, options.InstanceAirflowAddress(instance.PublicIp!), run.Context.Settings.AirflowVersion, run.Context.Cancellation);

    /// <summary>For phases 3 to 6: the running instance and its Airflow, or a message saying to run phase 1.</summary>
    private async Task<(InstanceState Instance, IAirflowClient Airflow)> RequireAirflowAsync(AwsRun run)
    {
        var instance = await run.Cloud.FindInstanceAsync(run.Names.DeploymentId, run.Context.Cancellation);
        if (instance is not { State: "running", PublicIp: not null })
            throw new PhaseFailedException(instance switch
            {
                null => "This deployment has no instance. Run phase 1 first.",
                { HasEnded: true } => $"The instance {instance.InstanceId} is {instance.State}: {instance.EndedBecause}. Run phase 1 again for a replacement in this deployment, then phase 3 to install the DAGs on it, then this phase.",
                _ => $"The instance {instance.InstanceId} is {instance.State}, not running yet. Run phase 1 again, which waits for it.",
            });
        await AdmitOperatorAsync(run);
        return (instance, await ConnectAirflowAsync(run, instance));
    }

    /// <summary>
    /// Port 8080 admits the address this machine has now: a laptop that moved since phase 1 (office, home, a café) has
    /// another one, and the instance's Airflow would be silent to it. The addresses this panel opened it to before are
    /// closed (<see cref="OpenToOperatorAsync"/>); those another panel instance opened stay until phase 7 deletes the group.
    /// </summary>
    private async Task AdmitOperatorAsync(AwsRun run)
    {
        var (context, cloud, names) = run;
        string cidr;
        try
        {
            cidr = await OperatorCidrAsync(run);
        }
        catch (PhaseFailedException ex)
        {
            // Phase 1 needed the address; here the group already admits the one it had then.
            await context.LogAsync($"{ex.Message} Until then, port {AwsNames.AirflowPort} admits the addresses earlier phases opened it to.");
            return;
        }
        // One look at the group's rules, which the usual case (the same address, or a range taking it in) ends with.
        if (await cloud.IngressAsync(names.AirflowSecurityGroup, AwsNames.AirflowPort, context.Cancellation) is { } group)
            await OpenToOperatorAsync(run, group, AwsNames.AirflowPort, cidr, context.Cancellation);
    }
}
