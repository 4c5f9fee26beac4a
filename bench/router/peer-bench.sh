#!/usr/bin/env bash
# The router beside Portkey in one run: starts routeledger-router (bench-router-config.json, forwarding
# to the peer fake upstream on 127.0.0.1:9101), then runs ../shared/peer/bench.sh with ROUTER_URL.
# Extra arguments are passed as env, e.g. DURATION=5s TARGETS="direct portkey-headers router".
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUILD=${BUILD:-$ROOT/build}
PEER=${PEER:-$ROOT/../shared/peer}
WORK=$(mktemp -d /tmp/routeledger-peer-router.XXXXXX)
sed "s#\"ledger\": \"[^\"]*\"#\"ledger\": \"$WORK/ledger.db\"#; s#\"../../resources#\"$ROOT/resources#" \
  "$HERE/bench-router-config.json" >"$WORK/config.json"
"$BUILD/app/routeledger-router" --config "$WORK/config.json" >"$WORK/router.log" 2>&1 &
ROUTER_PID=$!
trap 'kill $ROUTER_PID 2>/dev/null || true; wait $ROUTER_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -sf -o /dev/null http://127.0.0.1:8080/healthz && break; sleep 0.1; done
echo "router pid $ROUTER_PID, RSS idle $(awk '/^VmRSS/ {print $2}' /proc/$ROUTER_PID/status) kB"
ROUTER_URL=http://127.0.0.1:8080 "$PEER/bench.sh"
echo "router RSS after the runs: $(awk '/^VmRSS/ {print $2}' /proc/$ROUTER_PID/status) kB"
