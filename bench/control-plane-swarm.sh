#!/bin/sh
# Control plane with many delegates (docs/performance.md): one control plane (launcher defaults, H2)
# and N simulated delegates (bench/DelegateSwarm.java: real WebSocket clients in one JVM doing
# hello, heartbeats, claims and results). Measures the control plane's live heap (after a full GC,
# jcmd GC.heap_info) and CPU (/proc/<pid>/stat) with no delegate, then with N connected while
# no-op tasks are submitted (about RATE per second), and prints both per 100 delegates.
# Builds the distribution unless DBOPS_BENCH_NO_BUILD=1. Linux, JDK 17 with jcmd.
#   bench/control-plane-swarm.sh [delegates=1000] [seconds=60] [rate=5]
set -e
cd "$(dirname "$0")/.."
N=${1:-1000}
SECS=${2:-60}
RATE=${3:-5}
if [ "${DBOPS_BENCH_NO_BUILD:-0}" != 1 ]; then
  ./mvnw -B -q -pl cli -am package -DskipTests
fi
D=$PWD/cli/target/dbops/bin/dbops
W=$(mktemp -d)
export HOME=$W
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() { for p in "$W"/*.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null || true; done; }
trap cleanup EXIT
"$D" server --port "$PORT" --data-dir "$W/cp" >"$W/server.log" 2>&1 & echo $! >"$W/server.pid"
until grep -q 'listening on http' "$W/server.log"; do sleep 0.5; done
SERVER=$(cat "$W/server.pid")
ADMIN=$(cat "$W/cp/admin.token"); export ADMIN
"$D" login --server "http://127.0.0.1:$PORT" --token-env ADMIN >/dev/null
TOKEN=$("$D" token create swarm --server "http://127.0.0.1:$PORT" | tail -1)
heap() { # live heap in KiB after a full GC
  jcmd "$SERVER" GC.run >/dev/null
  jcmd "$SERVER" GC.heap_info | awk '/used/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?/, "", v); s += v } } END { print s }'
}
ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER/stat"; }
cpu() { # percent of one core over SECS seconds, submitting RATE no-op tasks per second meanwhile
  submit=$1; t0=$(ticks); s0=$(date +%s%N); i=0
  while [ $(( ($(date +%s%N) - s0) / 1000000000 )) -lt "$SECS" ]; do
    if [ "$submit" = 1 ]; then
      curl -s -o /dev/null -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
        -d '{"type":"noop","payload":{},"timeoutSeconds":120}' "http://127.0.0.1:$PORT/api/v1/tasks" &
    fi
    sleep "$(echo "scale=3; 1 / $RATE" | bc)"
  done
  wait_ticks=$(( $(ticks) - t0 )); elapsed=$(( ($(date +%s%N) - s0) / 10000000 ))
  echo "scale=1; 100 * $wait_ticks / $elapsed" | bc
}
rss() { awk '/VmRSS/ { print int($2 / 1024) }' "/proc/$SERVER/status"; }
sleep 20
echo "control plane pid $SERVER; $(uptime)"
H0=$(heap); C0=$(cpu 0)
echo "0 delegates: live heap ${H0} KiB, CPU ${C0} % of a core (idle), RSS $(rss) MiB; $(uptime | sed 's/.*load/load/')"
java bench/DelegateSwarm.java "ws://127.0.0.1:$PORT/api/v1/delegates/connect" "$TOKEN" "$N" >"$W/swarm.log" 2>&1 &
echo $! >"$W/swarm.pid"
until grep -q "$N welcomed" "$W/swarm.log"; do sleep 2; tail -1 "$W/swarm.log" 2>/dev/null | grep -q 'closed' || true; done
sleep 20
H1=$(heap); C1=$(cpu 1)
echo "$N delegates: live heap ${H1} KiB, CPU ${C1} % of a core (with ~$RATE no-op tasks/s), RSS $(rss) MiB; $(uptime | sed 's/.*load/load/')"
tail -1 "$W/swarm.log"
echo "per 100 delegates: heap $(( (H1 - H0) * 100 / N )) KiB, CPU $(echo "scale=2; ($C1 - $C0) * 100 / $N" | bc) % of a core"
