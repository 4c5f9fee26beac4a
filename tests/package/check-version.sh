#!/usr/bin/env bash
# `--version` of both executables: "NAME VERSION (commit HASH)" with exit 0, the same commit in both, and
# --version named in each --help.
# Usage: check-version.sh ROUTELEDGER ROUTELEDGER_ROUTER VERSION
set -uo pipefail
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

commits=()
for exe in "$1" "$2"; do
  name=$(basename "$exe")
  out=$("$exe" --version 2>&1)
  rc=$?
  [ "$rc" -eq 0 ] || fail "$name --version exited $rc (expected 0)"
  pattern="^$name ${3//./\\.} \\(commit ([0-9a-f]{7,40}|unknown)\\)\$"
  if [[ "$out" =~ $pattern ]]; then
    commits+=("${BASH_REMATCH[1]}")
    echo "ok: $out"
  else
    fail "$name --version printed '$out', expected '$name $3 (commit <short hash or unknown>)'"
  fi
  "$exe" --help 2>&1 | grep -q -- '--version' || fail "$name --help does not mention --version"
done
if [ ${#commits[@]} -eq 2 ] && [ "${commits[0]}" != "${commits[1]}" ]; then
  fail "the executables name different commits (${commits[0]}, ${commits[1]}): rebuild both"
fi
[ "$failures" -eq 0 ] || exit 1
echo "version: both executables report their version and commit"
