using Cord19.Core.Aws;
using Cord19.Core.Deployments;
using Cord19.Core.Execution;
using Cord19.Core.Settings;

namespace Cord19.Core.Targets.Aws;

/// <summary>
/// Puts a new Airflow admin password in place on the live AWS deployment: a new SecureString in SSM Parameter Store,
/// then SSM Run Command has the instance read it with its own role and set it in Airflow. What phase 1 offers when
/// the parameter was lost while the instance still uses the old password (a new one alone would lock the panel out).
/// </summary>
public sealed class AirflowPasswordRotation(IAwsCloudFactory clouds, DeploymentStore store, SettingsStore settingsStore, AwsTargetOptions options, TimeProvider clock)
{
    /// <summary>Returns what was done; throws <see cref="PhaseFailedException"/> (cause and fix) or <see cref="AwsException"/>.</summary>
    public async Task<string> RotateAsync(CancellationToken ct)
    {
        if (await store.GetWithRunsAsync(ct: ct) is not { Deployment: { HasEnded: false, Target: DeploymentTarget.Aws } deployment } found)
            throw new PhaseFailedException("There is no live AWS deployment: the Airflow password belongs to one. Run phase 1.");
        var settings = DeploymentPinning.Pin(deployment, found.Runs, await settingsStore.GetAsync(ct));
        return await clouds.WithCloudAsync(settings.AwsRegion, async cloud =>
        {
            var names = new DeploymentNames(deployment.Id);
            if (await cloud.FindInstanceAsync(deployment.Id, ct) is not { State: "running" } instance)
                throw new PhaseFailedException("The deployment's instance is not running, so there is no Airflow to set a password on. Run phase 1 again: an instance AWS ended is replaced, and the replacement sets up Airflow with the password in SSM.");
            await cloud.DeleteSecretAsync(names.AirflowPasswordParameter, ct);
            await cloud.PutSecretAsync(names.AirflowPasswordParameter, AwsPasswords.New(), ResourceTags.For(deployment.Id, 1), ct);
            var done = await new AwsPolling(options.PollInterval, clock).RunOnInstanceAsync(cloud, new Pipeline.UnrecordedSteps(ct), ct,
                instance.InstanceId, Script(names, cloud.Region), options);
            if (done.Status != "Success")
                throw new PhaseFailedException($"Setting the new password on {instance.InstanceId} ended {done.Status}: {done.Error ?? done.Output ?? "no output"}. " +
                    "The new password is in SSM; run the rotation again once the instance answers Run Command.");
            return $"A new Airflow admin password is in {names.AirflowPasswordParameter} and set on {instance.InstanceId}; phase 1 can run again.";
        });
    }

    /// <summary>Run with sh (dash on Ubuntu). The instance reads the password itself: it never appears in the command.</summary>
    public static IReadOnlyList<string> Script(DeploymentNames names, string region)
    {
        var read = "P=$(/opt/airflow/venv/bin/python -c \"import boto3,sys; print(boto3.client('ssm', region_name=sys.argv[2]).get_parameter(Name=sys.argv[1], WithDecryption=True)['Parameter']['Value'])\" " +
                   $"'{names.AirflowPasswordParameter}' '{region}')";
        // Airflow 2 and Airflow 3 (FAB's auth manager, AirflowUserData) keep the admin in Airflow's database: create it again.
        string[] set =
        [
            "export P",
            $"sudo -u airflow --preserve-env=P sh -c 'set -a; . /etc/cord19/airflow.env; set +a; " +
            $"/opt/airflow/venv/bin/airflow users delete --username {AwsNames.AirflowUser} >/dev/null 2>&1 || true; " +
            $"/opt/airflow/venv/bin/airflow users create --username {AwsNames.AirflowUser} --password \"$P\" --firstname CORD-19 --lastname Admin --role Admin --email admin@cord19.invalid'",
        ];
        return ["set -eu", read, .. set, "echo 'cord19: the Airflow admin password was rotated'"];
    }
}
