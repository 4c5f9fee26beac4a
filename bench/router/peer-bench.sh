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
#
# NGINX=1: the router beside nginx as a plain reverse proxy, without Portkey (issue 14). Starts the peer fake
# upstream, nginx 1.22 with the same config as ../shared/peer/bench.sh (keep-alive upstream, no buffering) on
# NG_PORT (9180) and the router, then for JSON and for streaming runs ROUNDS (3) rounds of direct, nginx, router
# and router with the shadow policy (wrk -t$THREADS -c$CONNS -d$DURATION each, the order reversed every other
# round so drift falls on all), and prints each target's median req/s, p50 and p99 and the router ÷ nginx ratios.
# The live decision, the ledger and the metrics are on in every router run; "router-shadow" adds the shadow one.
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
NG_PID=""
if [ "${SHADOW:-0}" = 1 ] || [ "${NGINX:-0}" = 1 ]; then
  UP_PORT=${UP_PORT:-9101}
  if [ -n "$(ss -ltnH "sport = :$UP_PORT")" ]; then
    echo "port $UP_PORT is already in use; stop that server first (this script only stops what it starts)" >&2; exit 1
  fi
  PORT=$UP_PORT node "$PEER/fake-upstream.js" >"$WORK/upstream.log" 2>&1 &
  UP_PID=$!
fi
NG_PORT=${NG_PORT:-9180}
if [ "${NGINX:-0}" = 1 ]; then
  NGINX_BIN=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
  [ -x "$NGINX_BIN" ] || { echo "NGINX=1 needs nginx (Debian: nginx-light)" >&2; exit 1; }
  if [ -n "$(ss -ltnH "sport = :$NG_PORT")" ]; then
    echo "port $NG_PORT is already in use; stop that server first" >&2; exit 1
  fi
  mkdir -p "$WORK/nginx/logs"
  # The same server block as ../shared/peer/bench.sh, so the figures compare with its nginx targets.
  cat >"$WORK/nginx/nginx.conf" <<NGX
worker_processes auto;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body; proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fcgi; uwsgi_temp_path $WORK/nginx/uwsgi; scgi_temp_path $WORK/nginx/scgi;
  upstream fake { server 127.0.0.1:$UP_PORT; keepalive 128; }
  server {
    listen 127.0.0.1:$NG_PORT;
    location / {
      proxy_pass http://fake;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
NGX
  "$NGINX_BIN" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" >"$WORK/nginx.log" 2>&1 &
  NG_PID=$!
fi
"$BUILD/app/routeledger-router" --config "$WORK/config.json" >"$WORK/router.log" 2>&1 &
ROUTER_PID=$!
trap 'kill $ROUTER_PID $UP_PID $NG_PID 2>/dev/null || true; wait $ROUTER_PID $UP_PID $NG_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -sf -o /dev/null http://127.0.0.1:8080/healthz && break; sleep 0.1; done
echo "router pid $ROUTER_PID, RSS idle $(awk '/^VmRSS/ {print $2}' /proc/$ROUTER_PID/status) kB"

if [ "${NGINX:-0}" = 1 ]; then
  for url in "http://127.0.0.1:$UP_PORT/health" "http://127.0.0.1:$NG_PORT/health"; do
    for _ in $(seq 1 50); do curl -sf -o /dev/null "$url" && break; sleep 0.1; done
  done
  ROUNDS=${ROUNDS:-3}; DURATION=${DURATION:-5s}; THREADS=${THREADS:-2}; CONNS=${CONNS:-64}
  AUTH="Authorization: Bearer $ROUTELEDGER_ADMIN_TOKEN"
  SUMMARY="$WORK/summary.tsv"; : >"$SUMMARY"
  one() { # label url mode stream -> a line "label rps p50_ms p99_ms" in $SUMMARY
    local out="$WORK/$1-$5.wrk"
    MODE=$3 STREAM=$4 wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$PEER/post.lua" "$2" >"$out"
    awk -v label="$1" 'function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0;
                                        if (v ~ /s$/) return v * 1000; return v + 0 }
      /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) } /Requests\/sec/ { rps = $2 }
      /Non-2xx/ { bad = $NF }
      END { printf "%s\t%.0f\t%.3f\t%.3f\t%d\n", label, rps, p50, p99, bad + 0 }' "$out" | tee -a "$SUMMARY"
  }
  shadow() { # on|off
    if [ "$1" = on ]; then
      curl -sf -o /dev/null -X PUT -H "$AUTH" -H 'If-Match: "none"' --data-binary @"$HERE/bench-shadow-policy.json" \
        "http://127.0.0.1:8080/admin/policy?shadow" || { echo "PUT /admin/policy?shadow failed" >&2; exit 1; }
    else
      curl -sf -o /dev/null -X DELETE -H "$AUTH" -H 'If-Match: *' "http://127.0.0.1:8080/admin/policy?shadow" \
        || { echo "DELETE /admin/policy?shadow failed" >&2; exit 1; }
    fi
  }
  for stream in 0 1; do
    sfx=$([ "$stream" = 1 ] && echo -stream || echo "")
    echo "== warm-up 3s each (not recorded), STREAM=$stream"
    for url in "http://127.0.0.1:$UP_PORT" "http://127.0.0.1:$NG_PORT" http://127.0.0.1:8080; do
      MODE=$([ "$url" = http://127.0.0.1:8080 ] && echo router || echo direct) STREAM=$stream \
        wrk -t"$THREADS" -c"$CONNS" -d3s -s "$PEER/post.lua" "$url" >/dev/null
    done
    for round in $(seq 1 "$ROUNDS"); do
      order="direct nginx router router-shadow"
      [ $((round % 2)) = 0 ] && order="router-shadow router nginx direct"
      for target in $order; do
        case $target in
          direct) one "direct$sfx" "http://127.0.0.1:$UP_PORT" direct "$stream" "$round" ;;
          nginx) one "nginx$sfx" "http://127.0.0.1:$NG_PORT" direct "$stream" "$round" ;;
          router) one "router$sfx" http://127.0.0.1:8080 router "$stream" "$round" ;;
          router-shadow) shadow on; one "router-shadow$sfx" http://127.0.0.1:8080 router "$stream" "$round"; shadow off ;;
        esac
      done
    done
  done
  echo
  echo "date (UTC): $(date -u '+%Y-%m-%d %H:%M:%S')   host: $(nproc) cores, $(uname -r), $("$NGINX_BIN" -v 2>&1 | awk '{print $3}'), wrk -t$THREADS -c$CONNS -d$DURATION, $ROUNDS rounds, load $(cut -d' ' -f1-3 /proc/loadavg)"
  # Medians per target (req/s, p50, p99 each the median of its runs), then the ratios.
  awk -F'\t' '
    function median(list,   n, a, i, j, t) { n = split(list, a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
                                               if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
                                             return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    { if (!($1 in rps)) order[++n] = $1; rps[$1] = rps[$1] " " $2; p50[$1] = p50[$1] " " $3; p99[$1] = p99[$1] " " $4; bad[$1] += $5 }
    END {
      printf "%-22s %10s %9s %9s %8s   %s\n", "target", "req/s", "p50 ms", "p99 ms", "non-2xx", "runs (req/s)"
      for (i = 1; i <= n; i++) { t = order[i]; m[t] = median(rps[t])
        printf "%-22s %10.0f %9.3f %9.3f %8d  %s\n", t, m[t], median(p50[t]), median(p99[t]), bad[t], rps[t] }
      print ""
      split("router router-shadow router-stream router-shadow-stream", rs, " ")
      for (i = 1; i <= 4; i++) { r = rs[i]; ng = (r ~ /stream/) ? "nginx-stream" : "nginx"
        if ((r in m) && (ng in m)) printf "%-22s ÷ %-13s %5.1f %%\n", r, ng, 100 * m[r] / m[ng] }
    }' "$SUMMARY" | tee "$WORK/report.txt"
  echo "router RSS after the runs: $(awk '/^VmRSS/ {print $2}' /proc/$ROUTER_PID/status) kB; raw wrk output: $WORK/"
  exit 0
fi

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
