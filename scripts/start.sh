#!/usr/bin/env bash
# Quick start, first command: install what is missing, build in Release, open the dashboard.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DROUTELEDGER_BUILD_TESTS=OFF -DROUTELEDGER_BUILD_BENCH=OFF >/dev/null
cmake --build build --target routeledger
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display found: starting RouteLedger inside a virtual X server (xvfb-run)."
  echo "To see it, run this on a desktop, or render it: build/app/routeledger --screenshot routeledger.png"
  exec xvfb-run -a build/app/routeledger "$@"
fi
exec build/app/routeledger "$@"
