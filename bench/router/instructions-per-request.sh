#!/usr/bin/env bash
# Instructions per request of routeledger-router (issue 14): the machine-independent figure, where wall-clock req/s
# on a shared 2-core VM move by up to 2x between runs. Starts the peer fake upstream and the router under callgrind
# (bench-router-config.json: the starter policy live, ledger and metrics on; SHADOW=1, the default, also installs
# bench-shadow-policy.json), warms up with wrk for 5 s, zeroes the counters, runs wrk -t1 -c8 for RUN_SECONDS (15), dumps,
# and divides the router process's instructions (all threads) by the requests it served (routeledger_requests_total).
# Prints the total and the two threads' shares: the workers (the request path) and the ledger writer (SQLite).
#
#   BUILD=build-router STREAM=0 bench/router/instructions-per-request.sh     # JSON; STREAM=1 for streaming
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUILD=${BUILD:-$ROOT/build}
PEER=${PEER:-$ROOT/../shared/peer}
STREAM=${STREAM:-0}; SHADOW=${SHADOW:-1}; RUN_SECONDS=${RUN_SECONDS:-15}
UP_PORT=${UP_PORT:-9201}; PORT=${PORT:-8181}
WORK=$(mktemp -d /tmp/routeledger-instructions.XXXXXX)
export ROUTELEDGER_ADMIN_TOKEN=${ROUTELEDGER_ADMIN_TOKEN:-bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')}
sed "s#\"ledger\": \"[^\"]*\"#\"ledger\": \"$WORK/ledger.db\"#; s#\"../../resources#\"$ROOT/resources#;
     s#127.0.0.1:9101#127.0.0.1:$UP_PORT#g; s#127.0.0.1:8080#127.0.0.1:$PORT#" \
  "$HERE/bench-router-config.json" >"$WORK/config.json"
for port in "$UP_PORT" "$PORT"; do
  if [ -n "$(ss -ltnH "sport = :$port")" ]; then echo "port $port is in use; set UP_PORT / PORT" >&2; exit 1; fi
done
PORT=$UP_PORT node "$PEER/fake-upstream.js" >"$WORK/upstream.log" 2>&1 &
UP_PID=$!
valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind.out" "$BUILD/app/routeledger-router" \
  --config "$WORK/config.json" >"$WORK/router.log" 2>&1 &
ROUTER_PID=$!
trap 'kill $ROUTER_PID $UP_PID 2>/dev/null || true; wait $ROUTER_PID $UP_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$UP_PORT/health" && break; sleep 0.1; done
for _ in $(seq 1 300); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.2; done
if [ "$SHADOW" = 1 ]; then
  curl -sf -o /dev/null -X PUT -H "Authorization: Bearer $ROUTELEDGER_ADMIN_TOKEN" -H 'If-Match: "none"' \
    --data-binary @"$HERE/bench-shadow-policy.json" "http://127.0.0.1:$PORT/admin/policy?shadow"
fi
load() { MODE=router STREAM=$STREAM wrk -t1 -c8 -d"$1" -s "$PEER/post.lua" "http://127.0.0.1:$PORT"; }
served() { curl -sf "http://127.0.0.1:$PORT/metrics" | awk '/^routeledger_requests_total/ {s += $2} END {print s + 0}'; }
load 5s >/dev/null
sleep 1
BEFORE=$(served)
callgrind_control -z "$ROUTER_PID" >/dev/null
load "${RUN_SECONDS}s" >"$WORK/wrk.txt"
sleep 2 # the ledger writer commits what is queued
callgrind_control -d "$ROUTER_PID" >/dev/null
REQUESTS=$(($(served) - BEFORE))
if grep -q Non-2xx "$WORK/wrk.txt"; then echo "some answers were not 2xx: see $WORK/wrk.txt" >&2; exit 1; fi
DUMP=$(ls -t "$WORK"/callgrind.out.* | head -n1)
callgrind_annotate --inclusive=yes --threshold=100 --auto=no "$DUMP" 2>/dev/null | sed 's/,//g' | awk -v n="$REQUESTS" '
  /PROGRAM TOTALS/ {total = $1}
  /RouterServer::start\(\)::\{lambda\(\)#1\}> > >::_M_run/ {workers = $1}
  /UsageLedger::writerLoop\(\)/ {ledger = $1}
  END {printf "%d requests: %.1fk instructions a request (workers %.1fk, ledger writer %.1fk)\n",
       n, total / n / 1000, workers / n / 1000, ledger / n / 1000}'
echo "callgrind profile: $DUMP"
