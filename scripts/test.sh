#!/usr/bin/env bash
# Quick start, second command (and what CI runs): install what is missing, check formatting, build in
# Release with warnings as errors (the headless base without the UI first) and run every test, then
# rebuild with AddressSanitizer and UndefinedBehaviorSanitizer and run the suite again, so that a memory
# error fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
started=$(date +%s)

bash scripts/install-deps.sh
bash scripts/check-format.sh

echo "== Release build of the headless base (core, router, their tests), without the UI, warnings as errors"
# As a server without Qt Widgets builds it: proves core/ and router/ stand on their own. The desktop app is
# then added to the same build, so nothing is compiled twice.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DROUTELEDGER_WERROR=ON -DROUTELEDGER_BUILD_UI=OFF >/dev/null
cmake --build build -j "$jobs"
(cd build && QT_QPA_PLATFORM=offscreen ctest --output-on-failure -j "$jobs")

echo "== Release build of the desktop app on top, warnings as errors"
cmake -S . -B build -DROUTELEDGER_BUILD_UI=ON >/dev/null
cmake --build build -j "$jobs"
(cd build && QT_QPA_PLATFORM=offscreen ctest --output-on-failure -j "$jobs" -L '^(ui|app|package)$')

echo "== AddressSanitizer + UndefinedBehaviorSanitizer build"
# -O0 -g1: the sanitizers find the same faults without the optimiser, which is most of the compile time
# (a third of it at -O1); line tables keep their reports readable. The headless base only (core, router, the
# headless commands' library and their suites): with the desktop app too the run no longer fits in 25 minutes
# on 2 cores. To run the widget suites under the sanitizers: the same configure with -DROUTELEDGER_BUILD_UI=ON.
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O0 -g1 -DNDEBUG" \
  -DROUTELEDGER_WERROR=ON -DROUTELEDGER_SANITIZE=ON -DROUTELEDGER_BUILD_BENCH=OFF -DROUTELEDGER_BUILD_UI=OFF >/dev/null
cmake --build build-asan -j "$jobs"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-asan && QT_QPA_PLATFORM=offscreen ctest --output-on-failure -j "$jobs")

echo "== all tests passed in $(( $(date +%s) - started ))s"
