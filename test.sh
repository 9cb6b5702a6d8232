#!/usr/bin/env bash
# Runs every test of the CORD-19 control panel on a fresh Debian machine.
# Installs what the tests need if it is missing (idempotent): Debian's Chromium for the browser tests.
set -euo pipefail
cd "$(dirname "$0")"

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
if ((${#need_apt[@]})); then
  echo "Installing: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# ML.NET's LDA prints its log-likelihood per iteration from native code; keep the test log readable.
log="$(mktemp)"
set +e
dotnet test Cord19.sln --configuration Release --filter "Category!=Benchmark" 2>&1 | tee "$log" | grep -vE '^(Iter|Likelihood|LogLikelihood)|^\s*$|likelihood' 
status=${PIPESTATUS[0]}
set -e

# One closing line in the plain "N passed, N failed" form, summed over the test assemblies.
awk '/^(Passed|Failed)!/ {
       for (i = 1; i <= NF; i++) {
         if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1)
       }
     }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit "$status"
