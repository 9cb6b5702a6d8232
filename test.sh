#!/usr/bin/env bash
# Runs every test of the CORD-19 control panel on a fresh Debian machine.
# Installs and starts what the tests need when it is missing (idempotent): Debian's Chromium for the
# browser tests, PostgreSQL for the persistence tests, docker-compose to validate docker-compose.yml,
# python3 to compile the generated Airflow DAGs, s3rver (npm) for the S3 result store, Prism (npm) for the Airflow client,
# and moto (from ../shared, on Debian's Python packages) for the AWS acceptance test.
set -euo pipefail
cd "$(dirname "$0")"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
as_postgres() { if [ "$(id -u)" -eq 0 ]; then su postgres -c "$1"; else sudo -u postgres sh -c "$1"; fi; }

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || need_apt+=(postgresql)
command -v docker-compose >/dev/null 2>&1 || need_apt+=(docker-compose)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
if ((${#need_apt[@]})); then
  echo "Installing: ${need_apt[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# PostgreSQL: start the newest cluster if it is down (there is no service manager here), and a test role.
pg_version="$(ls /usr/lib/postgresql | sort -V | tail -1)"
pg_lsclusters -h 2>/dev/null | grep -q "^$pg_version main" || as_root pg_createcluster "$pg_version" main >/dev/null
pg_lsclusters -h | grep -q "^$pg_version main .* online" || as_root pg_ctlcluster "$pg_version" main start
pg_port="$(pg_lsclusters -h | awk -v v="$pg_version" '$1 == v && $2 == "main" { print $3 }')"
as_postgres "psql -p $pg_port -tAc \"SELECT 1 FROM pg_roles WHERE rolname = 'cord19'\"" | grep -q 1 \
  || as_postgres "psql -p $pg_port -qc \"CREATE ROLE cord19 LOGIN SUPERUSER PASSWORD 'cord19'\""
export CORD19_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=cord19;Password=cord19;Database=postgres"

# From npm (tools/package-lock.json): s3rver, a real S3-compatible server for the S3 result store's tests, and
# Prism, which serves Airflow's official API specs for the Airflow client's tests; axe-core for the accessibility checks;
# echarts and esbuild, with which a test rebuilds the panel's ECharts bundle (tools/echarts/build.sh).
{ [ -f tools/node_modules/s3rver/bin/s3rver.js ] && [ -f tools/node_modules/@stoplight/prism-cli/dist/index.js ] && [ -f tools/node_modules/axe-core/axe.min.js ] \
  && [ -x tools/node_modules/.bin/esbuild ] && [ -f tools/node_modules/echarts/package.json ]; } \
  || npm ci --prefix tools --no-audit --no-fund --loglevel=error

# moto, an AWS emulator (../shared/tools/moto, run on Debian's Python), for the AWS acceptance test. CI has it; a clone
# without ../shared skips that test and says so.
moto_archive="../shared/tools/moto/moto-5.2.3.tar.gz"
moto_pid=""
if [ -f "$moto_archive" ]; then
  moto_debs=(python3-boto3 python3-botocore python3-werkzeug python3-flask python3-flask-cors python3-jinja2 python3-xmltodict
             python3-responses python3-cryptography python3-dateutil python3-yaml)
  missing_debs=()
  for deb in "${moto_debs[@]}"; do dpkg -s "$deb" >/dev/null 2>&1 || missing_debs+=("$deb"); done
  if ((${#missing_debs[@]})); then
    echo "Installing for moto: ${missing_debs[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing_debs[@]}" >/dev/null
  fi
  [ -f tools/moto/moto/__init__.py ] || { mkdir -p tools/moto && tar -xzf "$moto_archive" -C tools/moto; }
  mkdir -p TestResults
  moto_port="$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  # The recorder's file (the acceptance test reads the order of the requests from it) goes with the other test output.
  MOTO_IAM_LOAD_MANAGED_POLICIES=true MOTO_RECORDER_FILEPATH="$PWD/TestResults/moto-recording.jsonl" PYTHONPATH="$PWD/tools/moto" /usr/bin/python3 -m moto.server -H 127.0.0.1 -p "$moto_port" >"TestResults/moto.log" 2>&1 &
  moto_pid=$!
  trap '[ -n "$moto_pid" ] && kill "$moto_pid" 2>/dev/null || true' EXIT
  for _ in $(seq 1 150); do
    /usr/bin/python3 -c "import sys, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1], method='POST'))" \
      "http://127.0.0.1:$moto_port/moto-api/reset" >/dev/null 2>&1 && break
    sleep 0.2
  done
  export CORD19_TEST_MOTO="http://127.0.0.1:$moto_port"
  echo "moto: started at $CORD19_TEST_MOTO for the AWS acceptance test"
else
  echo "moto: $moto_archive is not here, so the AWS acceptance test against moto is SKIPPED (CI has ../shared and runs it)"
fi

# docker-compose.yml must be valid (no Docker engine is needed to check it).
CORD19_ACCESS_TOKEN=placeholder-token-0000 POSTGRES_PASSWORD=x MINIO_ROOT_PASSWORD=xxxxxxxx AIRFLOW_DB_PASSWORD=x AIRFLOW_ADMIN_PASSWORD=x \
  AIRFLOW_JWT_SECRET=x AIRFLOW_SECRET_KEY=x \
  docker-compose -f docker-compose.yml config -q
echo "docker-compose.yml: valid"

# ML.NET's LDA prints its log-likelihood per iteration from native code; keep the test log readable.
log="$(mktemp)"
rm -f TestResults/figures.txt
set +e
dotnet test Cord19.sln --configuration Release --filter "Category!=Benchmark" 2>&1 | tee "$log" | grep -vE '^(Iter|Likelihood|LogLikelihood)|^\s*$|likelihood'
status=${PIPESTATUS[0]}
set -e

if [ -f TestResults/figures.txt ]; then echo "Figures measured by the tests:"; sed 's/^/  /' TestResults/figures.txt; fi

# One closing line in the plain "N passed, N failed" form, summed over the test assemblies.
awk '/^(Passed|Failed)!/ {
       for (i = 1; i <= NF; i++) {
         if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1)
       }
     }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit "$status"
