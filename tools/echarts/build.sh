#!/usr/bin/env bash
# Builds the panel's ECharts bundle from tools/echarts/entry.mjs with esbuild (both pinned in tools/package.json):
#   tools/echarts/build.sh [output]   (default Cord19.Web/wwwroot/lib/echarts/echarts.panel.min.js, with ECharts' LICENSE.txt and NOTICE.txt)
# The bundle is committed, so running the panel needs no npm; a test checks it is what this script builds.
set -euo pipefail
tools="$(cd "$(dirname "$0")/.." && pwd)"
assets="$tools/../Cord19.Web/wwwroot/lib/echarts"
output="${1:-$assets/echarts.panel.min.js}"
[ -x "$tools/node_modules/.bin/esbuild" ] && [ -f "$tools/node_modules/echarts/package.json" ] \
  || npm ci --prefix "$tools" --no-audit --no-fund --loglevel=error
"$tools/node_modules/.bin/esbuild" "$tools/echarts/entry.mjs" --bundle --minify --format=iife --target=es2020 \
  --legal-comments=eof --log-level=warning --outfile="$output"
if [ -z "${1:-}" ]; then
  # With an extension, so that they are served as the static files they are.
  cp "$tools/node_modules/echarts/LICENSE" "$assets/LICENSE.txt"
  cp "$tools/node_modules/echarts/NOTICE" "$assets/NOTICE.txt"
fi
