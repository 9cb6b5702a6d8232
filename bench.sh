#!/usr/bin/env bash
# Benchmarks: print figures, assert no speed. Usage: ./bench.sh [points]   (default 100000)
# CORD19_BENCH_FRAMES=1 ./bench.sh adds, under each map visit, its long animation frames and the scripts in them.
set -euo pipefail
cd "$(dirname "$0")"
command -v chromium >/dev/null 2>&1 || { echo "Install Chromium first: ./test.sh does it (apt-get install chromium)."; exit 1; }
export CORD19_BENCH_POINTS="${1:-100000}"
dotnet test Cord19.Tests --configuration Release --filter "Category=Benchmark" --logger "console;verbosity=normal" 2>&1 \
  | grep -E "^(document map|result store):|^map_cold_ms=|Passed!|Failed!|error" || true
