#!/usr/bin/env bash
# Fails when any C++ file differs from .clang-format; `scripts/check-format.sh --fix` rewrites them.
set -euo pipefail
cd "$(dirname "$0")/.."
formatter=$(command -v clang-format-14 || command -v clang-format)
mapfile -t files < <(git ls-files '*.cpp' '*.h')
if [ "${1:-}" = "--fix" ]; then
  "$formatter" -i "${files[@]}"
  exit 0
fi
if ! "$formatter" --dry-run --Werror "${files[@]}" 2>/tmp/rl-format.log; then
  head -40 /tmp/rl-format.log
  echo "format check: $(grep -c 'error:' /tmp/rl-format.log) places differ from .clang-format; run scripts/check-format.sh --fix"
  exit 1
fi
echo "format check: ${#files[@]} files follow .clang-format"
