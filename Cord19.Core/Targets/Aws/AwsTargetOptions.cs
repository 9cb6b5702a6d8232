namespace Cord19.Core.Targets.Aws;

/// <summary>How the AWS target waits and where it finds what it ships to the instance.</summary>
public sealed record AwsTargetOptions
{
    public const string BundleVariable = "CORD19_PIPELINE_BUNDLE";
    public const string AirflowUrlVariable = "CORD19_AWS_AIRFLOW_URL";
    public const string ImageVariable = "CORD19_AWS_IMAGE_ID";
    public const string PackageIndexVariable = "CORD19_PYPI_URL";

    /// <summary>
    /// CORD19_PIPELINE_BUNDLE, CORD19_AWS_AIRFLOW_URL (the instance's Airflow through a port forward, e.g. SSM's
    /// AWS-StartPortForwardingSession to https://127.0.0.1:8443/; the certificate stays pinned), CORD19_AWS_IMAGE_ID and
    /// CORD19_PYPI_URL.
    /// </summary>
    public static AwsTargetOptions From(string? pipelineBundle, string? instanceAirflowUrl, string? imageId, string? packageIndex = null)
    {
        var options = new AwsTargetOptions { PipelineBundle = Blank(pipelineBundle), ImageId = Blank(imageId) };
        if (Blank(packageIndex) is { } indexUrl)
            options = Uri.TryCreate(indexUrl.EndsWith('/') ? indexUrl : indexUrl + "/", UriKind.Absolute, out var index) && index.Scheme is "https" or "http"
                ? options with { PackageIndex = index }
                : throw new ArgumentException($"{PackageIndexVariable}='{indexUrl}' is not an http(s) address. Set it to a server of PyPI's JSON API, e.g. https://pypi.org/, or unset it.");
        if (Blank(instanceAirflowUrl) is not { } url) return options;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var address) || address.Scheme != "https")
            throw new ArgumentException($"{AirflowUrlVariable}='{url}' is not an https address. Set it to where a port forward reaches the instance's Airflow, e.g. https://127.0.0.1:8443/, or unset it.");
        return options with { InstanceAirflowAddress = _ => address };
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>Between two looks at something AWS is still doing (an instance starting, a cluster being created).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan InstanceStartLimit { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long a running instance may show no public address before phase 1 ends it: EC2 assigns one at launch, so this
    /// only covers an answer that lags behind it, before an instance is terminated on that evidence.
    /// </summary>
    public TimeSpan AddresslessGrace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>pip installing Airflow on first boot is most of this.</summary>
    public TimeSpan AirflowReadyLimit { get; init; } = TimeSpan.FromMinutes(30);

    public TimeSpan ClusterLimit { get; init; } = TimeSpan.FromMinutes(40);

    /// <summary>
    /// When Redshift's own scheduler pauses phase 2's cluster, counted from phase 2's request: later than phase 2 can
    /// still be using it (its 40-minute wait for the cluster, then three statements of at most 20 minutes each), so it
    /// never cuts into a live phase 2; and a cluster whose panel is gone bills node-hours for at most this long.
    /// </summary>
    public TimeSpan ClusterPauseBackstop { get; init; } = TimeSpan.FromHours(2);

    /// <summary>How long an answer from the instance's Airflow may take to come right (phase 3's DAGs listed, a run's tasks).</summary>
    public TimeSpan AirflowAnswerLimit { get; init; } = TimeSpan.FromMinutes(20);

    /// <summary>
    /// Phase 3's install and the password rotation on the instance: ten minutes for the agent (which the panel first waits
    /// to be online) to take the script, and SSM's own default of an hour to run it, a CORD-19 release's download included.
    /// </summary>
    public RunCommandLimits RunCommand { get; init; } = new(TimeSpan.FromMinutes(10), TimeSpan.FromHours(1));
    public TimeSpan DagRunLimit { get; init; } = TimeSpan.FromHours(12);

    /// <summary>
    /// How long the instance's Airflow may leave the panel's looks unanswered while a phase follows it (<see cref="AirflowOutage"/>):
    /// long enough for a network blip or systemd restarting the API server, short against a DAG run's hours.
    /// </summary>
    public TimeSpan AirflowOutageLimit { get; init; } = TimeSpan.FromMinutes(10);
    public TimeSpan DeletionLimit { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// The published cord19-pipeline for linux-x64 (a folder), shipped to the instance in phase 3: nothing is
    /// compiled there. Null: CORD19_PIPELINE_BUNDLE, else the data directory's pipeline-linux-x64, published there
    /// by phase 3 when the panel runs from its source tree (<see cref="PipelineBundle.EnsureAsync"/>).
    /// </summary>
    public string? PipelineBundle { get; init; }

    /// <summary>This machine's public IPv4 address as AWS sees it; used when Settings give no operator address.</summary>
    /// <remarks>The app sets it to <see cref="OperatorAddress"/> (AWS's checkip service, through IHttpClientFactory); tests give a fixed address.</remarks>
    public Func<CancellationToken, Task<string>> LookUpPublicAddress { get; init; } =
        _ => throw new InvalidOperationException("No way to look up the operator's address was configured: set AwsTargetOptions.LookUpPublicAddress.");

    /// <summary>
    /// Where the instance's Airflow answers, from its public address: HTTPS on 8080. The seam an acceptance test points
    /// at a local stand-in served with the deployment's certificate, since no emulator runs the instance's software.
    /// </summary>
    public Func<string, Uri> InstanceAirflowAddress { get; init; } = InstanceAirflow.DefaultAddress;

    /// <summary>
    /// Where the panel asks about the chosen Airflow release (PyPI's JSON API): https://pypi.org/ unless CORD19_PYPI_URL
    /// says otherwise (tests; a proxy that serves the same API). The instance itself installs from PyPI.
    /// </summary>
    public Uri PackageIndex { get; init; } = new("https://pypi.org/");

    /// <summary>An AMI to launch instead of Canonical's current Ubuntu 24.04 (an account's own hardened image, or an emulator's).</summary>
    public string? ImageId { get; init; }

    /// <summary>The Python the instance's Airflow runs on: Ubuntu 24.04's, or not known for an image of the operator's own.</summary>
    public string? InstancePython => ImageId is null ? AwsCloud.UbuntuPython : null;

    /// <summary>The instance's processor architecture: Canonical's amd64 image's, or not known for an image of the operator's own.</summary>
    public string? InstanceArchitecture => ImageId is null ? AwsCloud.UbuntuArchitecture : null;
}
