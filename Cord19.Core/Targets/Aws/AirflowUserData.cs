namespace Cord19.Core.Targets.Aws;

/// <summary>
/// The instance's first-boot script: PostgreSQL, Apache Airflow (2.x or 3.x, pinned with Airflow's constraint
/// file) in a virtual environment on 127.0.0.1:8081, an admin whose password is read from SSM Parameter Store with
/// the instance role (never written into the user data), and nginx serving it over TLS on port 8080 with the
/// deployment's key and certificate, also read from SSM. TLS ends in nginx rather than in Airflow because Airflow 3's
/// task runner calls the API server too and would refuse a self-signed certificate. Everything it does is logged to
/// /var/log/cord19-setup.log on the instance. It first schedules its own end at the deployment's maximum lifetime.
/// </summary>
public static class AirflowUserData
{
    /// <summary>
    /// What the script prints when a command of it fails (bash's ERR trap, functions included), before it stops: the
    /// install will not finish, and the panel need not wait out <see cref="AwsTargetOptions.AirflowReadyLimit"/>.
    /// </summary>
    public const string SetupFailed = "cord19: first boot FAILED";

    /// <summary>Airflow itself listens here, on loopback only; nginx is the only way in from outside.</summary>
    public const int InternalPort = 8081;

    /// <summary>Airflow 3's auth manager here and in docker-compose.yml (the FAB provider, installed with Airflow's <c>fab</c> extra).</summary>
    public const string FabAuthManager = "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager";

    /// <summary>
    /// How often Airflow looks for new files in its DAGs folder. Its default, 300 s, is for folders of many files; here
    /// phase 3 puts the one DAG file there after Airflow has started and waits until it is listed, so it would wait up to
    /// five minutes on a billed instance. Listing one folder every 30 s costs nothing.
    /// </summary>
    public const int DagFolderListSeconds = 30;

    /// <summary>An Airflow command as the airflow user, with the environment file the services read.</summary>
    private static string AsAirflow(string command) =>
        $"sudo -u airflow -E bash -c 'set -a; . /etc/cord19/airflow.env; /opt/airflow/venv/bin/airflow {command}'";

    /// <param name="lifetime">
    /// The deployment's maximum lifetime: the instance ends itself then (<see cref="InstanceEndOfLife"/>), so a forgotten
    /// instance ends even when the control panel is not running to de-allocate it.
    /// </param>
    public static string Render(string airflowVersion, string region, AwsNames names, TimeSpan? lifetime = null)
    {
        var passwordParameter = names.AirflowPasswordParameter;
        var selfTermination = InstanceEndOfLife.FirstBoot(lifetime);
        var three = airflowVersion.StartsWith("3.", StringComparison.Ordinal);
        // A task's token lives as long as the instance may, or 8 h without a maximum lifetime: Airflow's 10 minutes can
        // fail a longer LocalExecutor task whose token is not refreshed (apache/airflow#67939, open). The execution API
        // is reachable on loopback only (nginx, below).
        var taskTokenSeconds = (int)(lifetime ?? TimeSpan.FromHours(8)).TotalSeconds;
        // Airflow 3's scheduler signs each task's token for the API server. Both read the environment file written
        // below, whose $(openssl …) runs once when it is written, so they share one secret; unset, each process makes
        // its own and every task fails "Invalid auth token: Signature verification failed" (apache/airflow#59373).
        // Airflow 3 signs users in with FAB's auth manager, as Airflow 2 did: the admin's password is hashed in Airflow's
        // database. The default simple auth manager keeps it in a plain file and, in its own words, "should not be used
        // in production". FAB's POST /auth/token answers the panel the same way.
        var auth = three
            ? $$"""
              AIRFLOW__CORE__AUTH_MANAGER={{FabAuthManager}}
              AIRFLOW__CORE__EXECUTION_API_SERVER_URL=http://127.0.0.1:{{InternalPort}}/execution/
              AIRFLOW__API_AUTH__JWT_SECRET=$(openssl rand -hex 32)
              AIRFLOW__EXECUTION_API__JWT_EXPIRATION_TIME={{taskTokenSeconds}}
              AIRFLOW__API__SECRET_KEY=$(openssl rand -hex 32)
              """
            : "AIRFLOW__API__AUTH_BACKENDS=airflow.api.auth.backend.basic_auth,airflow.api.auth.backend.session";
        // The password goes in as the command's $0, never into its text.
        var admin = AsAirflow($"users create --username {AwsNames.AirflowUser} --password \"$0\" --firstname CORD-19 --lastname Admin --role Admin --email admin@cord19.invalid") + " \"$ADMIN_PASSWORD\"";
        // Airflow 3 renamed [scheduler] dag_dir_list_interval to [dag_processor] refresh_interval.
        var dagFolderList = three
            ? $"AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL={DagFolderListSeconds}"
            : $"AIRFLOW__SCHEDULER__DAG_DIR_LIST_INTERVAL={DagFolderListSeconds}";
        var extras = three ? "postgres,fab" : "postgres";
        // FAB's tables (users, roles) are the FAB provider's own migrations. `airflow db migrate` runs them through the auth
        // manager's database manager, which some releases failed to load where no application context was set up, and then
        // skipped, leaving no user table (apache/airflow#63847, fixed by #64145); FAB's own command runs them directly and
        // does nothing twice.
        var fabMigrate = three ? "\n" + AsAirflow("fab-db migrate") : "";
        // No triggerer, as in docker-compose.yml: it only runs deferred tasks, and the DAGs' two BashOperators never defer.
        var services = three
            ? new[] { ("api-server", $"api-server --host 127.0.0.1 --port {InternalPort}"), ("scheduler", "scheduler"), ("dag-processor", "dag-processor") }
            : new[] { ("webserver", $"webserver --hostname 127.0.0.1 --port {InternalPort}"), ("scheduler", "scheduler") };
        var units = string.Join("\n", services.Select(s => $$"""
            cat > /etc/systemd/system/airflow-{{s.Item1}}.service <<'UNIT'
            [Unit]
            Description=Apache Airflow {{s.Item1}} (CORD-19)
            After=network-online.target postgresql.service
            [Service]
            User=airflow
            EnvironmentFile=/etc/cord19/airflow.env
            ExecStart=/opt/airflow/venv/bin/airflow {{s.Item2}}
            Restart=on-failure
            RestartSec=10
            [Install]
            WantedBy=multi-user.target
            UNIT
            """));
        var serviceNames = string.Join(" ", services.Select(s => $"airflow-{s.Item1}"));

        return $$"""
            #!/bin/bash
            # CORD-19 control panel: Apache Airflow {{airflowVersion}} on first boot.
            set -Eeuo pipefail
            exec > >(tee -a /var/log/cord19-setup.log) 2>&1
            # Said on the console, which the panel reads while it waits, so a failed install ends phase 1 at once.
            trap 'echo "{{SetupFailed}} at line $LINENO (exit $?)"' ERR
            {{selfTermination}}
            export DEBIAN_FRONTEND=noninteractive
            # cloud-init's own package steps and unattended-upgrades may hold apt's locks at first boot: wait for them.
            APT="apt-get -q -o DPkg::Lock::Timeout=900"
            $APT update
            $APT install -y python3-venv python3-pip postgresql curl openssl libicu-dev nginx
            useradd --system --create-home --home-dir /opt/airflow airflow || true
            mkdir -p /opt/airflow/dags /opt/cord19 /etc/cord19
            chown -R airflow: /opt/airflow /opt/cord19

            AIRFLOW_VERSION={{airflowVersion}}
            PYTHON_VERSION=$(python3 -c 'import sys; print(f"{sys.version_info.major}.{sys.version_info.minor}")')
            python3 -m venv /opt/airflow/venv
            /opt/airflow/venv/bin/pip install -q "apache-airflow[{{extras}}]==${AIRFLOW_VERSION}" boto3 \
              --constraint "https://raw.githubusercontent.com/apache/airflow/constraints-${AIRFLOW_VERSION}/constraints-${PYTHON_VERSION}.txt"

            DB_PASSWORD=$(openssl rand -hex 24)
            sudo -u postgres psql -v ON_ERROR_STOP=1 -c "CREATE USER airflow PASSWORD '${DB_PASSWORD}'" || true
            sudo -u postgres createdb -O airflow airflow || true

            # The admin password and the TLS key live in SSM Parameter Store; the instance role may read this deployment's parameters only.
            ssm_get() { /opt/airflow/venv/bin/python -c "import boto3,sys; print(boto3.client('ssm', region_name='{{region}}').get_parameter(Name=sys.argv[1], WithDecryption=True)['Parameter']['Value'])" "$1"; }
            ADMIN_PASSWORD=$(ssm_get '{{passwordParameter}}')
            install -d -m 700 /etc/cord19/tls
            ssm_get '{{names.AirflowTlsKeyParameter}}' > /etc/cord19/tls/airflow.key
            ssm_get '{{names.AirflowCertificateParameter}}' > /etc/cord19/tls/airflow.crt
            chmod 600 /etc/cord19/tls/airflow.key

            cat > /etc/cord19/airflow.env <<ENV
            AIRFLOW_HOME=/opt/airflow
            AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=postgresql+psycopg2://airflow:${DB_PASSWORD}@localhost/airflow
            AIRFLOW__CORE__EXECUTOR=LocalExecutor
            AIRFLOW__CORE__LOAD_EXAMPLES=False
            AIRFLOW__CORE__DAGS_FOLDER=/opt/airflow/dags
            AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION=False
            {{dagFolderList}}
            {{auth}}
            AWS_DEFAULT_REGION={{region}}
            CORD19_S3_REGION={{region}}
            CORD19_RESULTS_BUCKET={{names.Bucket}}
            DOTNET_GCHeapHardLimitPercent=0x50
            ENV
            chmod 640 /etc/cord19/airflow.env && chgrp airflow /etc/cord19/airflow.env

            {{AsAirflow("db migrate")}}{{fabMigrate}}
            {{admin}}

            {{units}}
            # HTTPS on {{AwsNames.AirflowPort}} for the panel, with the deployment's certificate (the panel pins it); Airflow stays on loopback.
            rm -f /etc/nginx/sites-enabled/default
            cat > /etc/nginx/conf.d/airflow.conf <<'NGINX'
            server {
              listen {{AwsNames.AirflowPort}} ssl;
              ssl_certificate /etc/cord19/tls/airflow.crt;
              ssl_certificate_key /etc/cord19/tls/airflow.key;
              ssl_protocols TLSv1.2 TLSv1.3;
              client_max_body_size 10m;
              # Airflow 3's execution API is for the instance's own task runner, which calls 127.0.0.1 directly.
              location /execution/ { return 404; }
              location / {
                proxy_pass http://127.0.0.1:{{InternalPort}};
                proxy_set_header Host $host;
                proxy_set_header X-Forwarded-Proto https;
                proxy_read_timeout 300s;
              }
            }
            NGINX
            systemctl daemon-reload
            systemctl enable --now {{serviceNames}}
            systemctl restart nginx
            echo "cord19: Airflow {{airflowVersion}} started"
            """;
    }
}
