#!/usr/bin/env bash
# Poll-and-ingest rate: a real routeledger-router whose ledger holds EVENTS (1,000,000) events, polled
# into a new store through core/sources; prints events/s, the ratio to the raw ingest rate measured in
# the same run, and peak memory. Needs a Release build in build/.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUILD=${BUILD:-$ROOT/build}
EVENTS=${EVENTS:-1000000}
PAGE=${PAGE:-1000}
WORK=$(mktemp -d /tmp/routeledger-poll-rate.XXXXXX)
"$BUILD/bench/poll_rate" make-ledger --out "$WORK/ledger.db" --events "$EVENTS"
cat >"$WORK/config.json" <<JSON
{"listen": "127.0.0.1:0", "policy_file": "$ROOT/resources/policies/default-policy.json", "ledger": "$WORK/ledger.db",
 "providers": [{"name": "openai", "base_url": "http://127.0.0.1:9/v1"}, {"name": "anthropic", "base_url": "http://127.0.0.1:9/v1"},
               {"name": "deepseek", "base_url": "http://127.0.0.1:9/v1"}]}
JSON
ROUTELEDGER_ADMIN_TOKEN=bench-token "$BUILD/app/routeledger-router" --config "$WORK/config.json" >"$WORK/router.out" 2>"$WORK/router.err" &
PID=$!
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q "listening on" "$WORK/router.out" && break; sleep 0.1; done
PORT=$(sed -n 's/.*listening on [^:]*:\([0-9]*\).*/\1/p' "$WORK/router.out")
"$BUILD/bench/poll_rate" poll --url "http://127.0.0.1:$PORT" --token bench-token --store "$WORK/store.db" --page "$PAGE"
echo "router peak RSS while serving the pages: $(awk '/^VmHWM/ {print $2}' /proc/$PID/status) kB"
rm -rf "$WORK"
