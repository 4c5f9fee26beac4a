#!/usr/bin/env bash
# The router beside Portkey in one run: starts routeledger-router (bench-router-config.json, forwarding
# to the peer fake upstream on 127.0.0.1:9101), then runs ../shared/peer/bench.sh with ROUTER_URL.
# Extra arguments are passed as env, e.g. DURATION=5s TARGETS="direct portkey-headers router".
#
# SHADOW=1: the router alone, without and with a shadow policy (bench-shadow-policy.json) in one run, for the
# shadow throughput as a share of the throughput without it (issue 14). Starts the peer fake upstream itself (no
# Portkey), then ROUNDS (3) pairs of wrk runs of DURATION (5s) each with MODE=router of ../shared/peer/post.lua
# (wrk -t$THREADS -c$CONNS, 2 and 64), the shadow policy PUT before and DELETEd after each shadow run, the order
# of the pair alternating by round so drift over the run falls on both; prints every run, the medians and the
# ratio. STREAM=1 sends streaming requests.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUILD=${BUILD:-$ROOT/build}
PEER=${PEER:-$ROOT/../shared/peer}
WORK=$(mktemp -d /tmp/routeledger-peer-router.XXXXXX)
# The admin API is on for the shadow runs (and harmless otherwise): a token of this run only.
ROUTELEDGER_ADMIN_TOKEN=${ROUTELEDGER_ADMIN_TOKEN:-bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')}
export ROUTELEDGER_ADMIN_TOKEN
sed "s#\"ledger\": \"[^\"]*\"#\"ledger\": \"$WORK/ledger.db\"#; s#\"../../resources#\"$ROOT/resources#" \
  "$HERE/bench-router-config.json" >"$WORK/config.json"
UP_PID=""
if [ "${SHADOW:-0}" = 1 ]; then
  UP_PORT=${UP_PORT:-9101}
  if [ -n "$(ss -ltnH "sport = :$UP_PORT")" ]; then
    echo "port $UP_PORT is already in use; stop that server first (this script only stops what it starts)" >&2; exit 1
  fi
  PORT=$UP_PORT node "$PEER/fake-upstream.js" >"$WORK/upstream.log" 2>&1 &
  UP_PID=$!
fi
"$BUILD/app/routeledger-router" --config "$WORK/config.json" >"$WORK/router.log" 2>&1 &
ROUTER_PID=$!
trap 'kill $ROUTER_PID $UP_PID 2>/dev/null || true; wait $ROUTER_PID $UP_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -sf -o /dev/null http://127.0.0.1:8080/healthz && break; sleep 0.1; done
echo "router pid $ROUTER_PID, RSS idle $(awk '/^VmRSS/ {print $2}' /proc/$ROUTER_PID/status) kB"

if [ "${SHADOW:-0}" != 1 ]; then
  ROUTER_URL=http://127.0.0.1:8080 "$PEER/bench.sh"
  echo "router RSS after the runs: $(awk '/^VmRSS/ {print $2}' /proc/$ROUTER_PID/status) kB"
  exit 0
fi

# ---- shadow policy beside the live one, one run ---------------------------------------------------------
for _ in $(seq 1 50); do curl -sf -o /dev/null "http://127.0.0.1:$UP_PORT/health" && break; sleep 0.1; done
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5s}
THREADS=${THREADS:-2}
CONNS=${CONNS:-64}
ROUTER=http://127.0.0.1:8080
AUTH="Authorization: Bearer $ROUTELEDGER_ADMIN_TOKEN"
committed() { curl -sf "$ROUTER/metrics" | awk '/^routeledger_ledger_committed_events_total/ {print $2}'; }
shadow_on() {
  curl -sf -o /dev/null -X PUT -H "$AUTH" -H 'If-Match: "none"' --data-binary @"$HERE/bench-shadow-policy.json" \
    "$ROUTER/admin/policy?shadow" || { echo "PUT /admin/policy?shadow failed" >&2; exit 1; }
  # The ledger's cursor where this shadow run starts (the previous run's events committed first).
  sleep 0.3; SHADOW_FROM=$(committed)
}
shadow_off() {
  curl -sf -o /dev/null -X DELETE -H "$AUTH" -H 'If-Match: *' "$ROUTER/admin/policy?shadow" \
    || { echo "DELETE /admin/policy?shadow failed" >&2; exit 1; }
}
run() { # label -> req/s
  local out="$WORK/$1.wrk"
  MODE=router STREAM=${STREAM:-0} wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$PEER/post.lua" "$ROUTER" >"$out"
  awk '/Requests\/sec/ {printf "%.0f", $2}' "$out"
}
echo "== warm-up 3s (not recorded)"
MODE=router STREAM=${STREAM:-0} wrk -t"$THREADS" -c"$CONNS" -d3s -s "$PEER/post.lua" "$ROUTER" >/dev/null
OFF=(); ON=(); SHADOW_FROM=0
for round in $(seq 1 "$ROUNDS"); do
  order="off on"; [ $((round % 2)) = 0 ] && order="on off"
  for mode in $order; do
    if [ "$mode" = on ]; then
      shadow_on; rps=$(run "shadow-$round"); shadow_off; ON+=("$rps")
    else
      rps=$(run "plain-$round"); OFF+=("$rps")
    fi
    echo "   round $round, shadow $mode: $rps req/s (wrk -t$THREADS -c$CONNS -d$DURATION, STREAM=${STREAM:-0})"
  done
done
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
MOFF=$(median "${OFF[@]}"); MON=$(median "${ON[@]}")
# The shadow really decided: the first events of the last shadow run carry its fields.
SHADOWED=$(curl -sf -H "$AUTH" "$ROUTER/admin/usage?after=$SHADOW_FROM&limit=1000" | grep -o '"shadow_policy_version":2' | wc -l || true)
MOVED=$(curl -sf "$ROUTER/metrics" | awk '/^routeledger_shadow_tier_changes_total/ {print $2}')
echo
echo "date (UTC): $(date -u '+%Y-%m-%d %H:%M:%S')   host: $(nproc) cores, $(uname -r), wrk $(wrk --version 2>&1 | head -n1 | awk '{print $2}')"
echo "no shadow: ${OFF[*]} req/s, median $MOFF"
echo "shadow:    ${ON[*]} req/s, median $MON"
awk -v on="$MON" -v off="$MOFF" 'BEGIN {printf "shadow throughput = %.1f%% of no-shadow (medians)\n", 100 * on / off}'
echo "events with shadow fields among the first 1,000 of the last shadow run: $SHADOWED; routeledger_shadow_tier_changes_total $MOVED"
echo "router RSS after the runs: $(awk '/^VmRSS/ {print $2}' /proc/$ROUTER_PID/status) kB; raw wrk output: $WORK/"
