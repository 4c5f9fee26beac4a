#!/usr/bin/env bash
# The router's own figures (docs/BENCHMARKS.md), against the peer fake upstream of ../shared/peer:
#   1. resident memory idle;
#   2. added latency at one connection, and added time to the first streamed bytes (routerload latency);
#   3. resident memory with CONNS (1,000) concurrent streaming connections (routerload hold);
#   4. with SOAK_SECONDS > 0: a steady-rate soak through our own fake upstream with injected upstream
#      failures (every request's first model answers 503 and falls back), RSS sampled every 10 s.
# Needs a Release build in build/ (scripts/test.sh or cmake), node, and the peer folder beside the repo.
# Knobs: REQUESTS=5000 CONNS=1000 CHUNK_DELAY_MS=1000 SOAK_SECONDS=0 SOAK_RATE=500
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUILD=${BUILD:-$ROOT/build}
PEER=${PEER:-$ROOT/../shared/peer}
REQUESTS=${REQUESTS:-5000}
CONNS=${CONNS:-1000}
CHUNK_DELAY_MS=${CHUNK_DELAY_MS:-1000}
SOAK_SECONDS=${SOAK_SECONDS:-0}
SOAK_RATE=${SOAK_RATE:-500}
WORK=$(mktemp -d /tmp/routeledger-router-figures.XXXXXX)
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
wait_http() { for _ in $(seq 1 100); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done; echo "not ready: $1" >&2; exit 1; }

start_upstream() { # delay-ms
  CHUNK_DELAY_MS=$1 PORT=9101 node "$PEER/fake-upstream.js" >"$WORK/upstream.log" 2>&1 &
  UP_PID=$!; PIDS+=("$UP_PID"); wait_http http://127.0.0.1:9101/health
}
start_router() { # config
  "$BUILD/app/routeledger-router" --config "$1" >"$WORK/router.log" 2>&1 &
  ROUTER_PID=$!; PIDS+=("$ROUTER_PID"); wait_http http://127.0.0.1:8080/healthz
}
stop() { kill "$1"; wait "$1" 2>/dev/null || true; }

sed "s#\"ledger\": \"[^\"]*\"#\"ledger\": \"$WORK/ledger.db\"#; s#\"../../resources#\"$ROOT/resources#" \
  "$HERE/bench-router-config.json" >"$WORK/config.json"

echo "== date $(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) cores, $(uname -r)"
start_upstream 0
start_router "$WORK/config.json"
sleep 1
echo "router RSS idle: $(( $(rss_kb "$ROUTER_PID") / 1024 )) MB"
"$BUILD/bench/routerload" latency --direct 9101 --router 8080 --requests "$REQUESTS"
"$BUILD/bench/routerload" latency --direct 9101 --router 8080 --requests "$REQUESTS" --stream
echo "router RSS after latency runs: $(( $(rss_kb "$ROUTER_PID") / 1024 )) MB"
stop "$ROUTER_PID"; stop "$UP_PID"

# Streams that last ~6 x CHUNK_DELAY_MS, all open at once.
start_upstream "$CHUNK_DELAY_MS"
start_router "$WORK/config.json"
"$BUILD/bench/routerload" hold --router 8080 --connections "$CONNS" --seconds 120 >"$WORK/hold.log" 2>&1 &
HOLD_PID=$!
max=0
while kill -0 "$HOLD_PID" 2>/dev/null; do
  r=$(rss_kb "$ROUTER_PID"); [ "$r" -gt "$max" ] && max=$r
  sleep 0.2
done
wait "$HOLD_PID" || { cat "$WORK/hold.log"; echo "hold run failed" >&2; exit 1; }
cat "$WORK/hold.log"
echo "router RSS max with $CONNS concurrent streams: $(( max / 1024 )) MB"
stop "$ROUTER_PID"; stop "$UP_PID"

if [ "$SOAK_SECONDS" -gt 0 ]; then
  # Our scriptable upstream: the first model of every tier fails (503) and requests fall back.
  PORT=9101 node "$ROOT/tests/router/fake-upstream.js" >"$WORK/upstream.log" 2>&1 &
  UP_PID=$!; PIDS+=("$UP_PID"); wait_http http://127.0.0.1:9101/health
  curl -sf http://127.0.0.1:9101/control/behaviours \
    -d '{"gpt-5-nano":"status:503","claude-sonnet-4-5":"status:503","claude-opus-4-1":"status:503"}' >/dev/null
  start_router "$WORK/config.json"
  "$BUILD/bench/routerload" soak --router 8080 --rate "$SOAK_RATE" --seconds "$SOAK_SECONDS" >"$WORK/soak.log" 2>&1 &
  SOAK_PID=$!
  sleep 30
  first=$(rss_kb "$ROUTER_PID"); echo "soak: RSS after 30 s warm-up: $((first / 1024)) MB ($first kB)"
  while kill -0 "$SOAK_PID" 2>/dev/null; do sleep 10; last=$(rss_kb "$ROUTER_PID"); echo "  RSS $last kB"; done
  wait "$SOAK_PID" || true
  cat "$WORK/soak.log" | tail -3
  echo "soak: RSS at the end: $((last / 1024)) MB; growth $(awk -v a="$first" -v b="$last" 'BEGIN{printf "%.1f", 100*(b-a)/a}') %"
  curl -s http://127.0.0.1:8080/metrics | grep -E '^routeledger_(requests_total|upstream_errors_total|ledger_(dropped|commit))' || true
fi
echo "logs: $WORK"
