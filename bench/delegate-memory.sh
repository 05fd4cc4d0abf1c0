#!/bin/sh
# Delegate memory benchmark (docs/performance.md, "Delegate memory"): a real control plane and a
# real delegate started with the launcher's defaults (bin/dbops), connected over a WebSocket.
# Prints the delegate's resident memory (VmRSS, RssAnon, RssFile from /proc) and its thread count
# once idle, then every 2 s while it runs 200 concurrent no-op tasks (POST /api/v1/tasks,
# sleepMillis 30000), and once idle again. Builds the distribution unless DBOPS_BENCH_NO_BUILD=1.
# DBOPS_BENCH_DIST=DIR measures the distribution in DIR (e.g. one built from main, for a
# baseline side by side) instead of cli/target/dbops. DBOPS_BENCH_NMT=1 starts the delegate with
# Native Memory Tracking and prints its "Thread" line (jcmd VM.native_memory summary) at each
# stage; NMT costs a few MiB itself, so compare NMT runs only with NMT runs. Linux only.
#   bench/delegate-memory.sh [tasks] [idle-seconds]
set -e
cd "$(dirname "$0")/.."
TASKS=${1:-200}
IDLE=${2:-30}
if [ "${DBOPS_BENCH_NO_BUILD:-0}" != 1 ]; then
  ./mvnw -B -q -pl cli -am package -DskipTests
fi
D=${DBOPS_BENCH_DIST:-$PWD/cli/target/dbops}/bin/dbops
DELEGATE_JAVA_OPTS=${DBOPS_JAVA_OPTS:-}
if [ "${DBOPS_BENCH_NMT:-0}" = 1 ]; then
  DELEGATE_JAVA_OPTS="$DELEGATE_JAVA_OPTS -XX:NativeMemoryTracking=summary"
fi
W=$(mktemp -d)
export HOME=$W
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() { for p in "$W"/*.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null || true; done; }
trap cleanup EXIT
"$D" server --port "$PORT" --data-dir "$W/cp" >"$W/server.log" 2>&1 & echo $! >"$W/server.pid"
until grep -q 'listening on http' "$W/server.log"; do sleep 0.5; done
ADMIN=$(cat "$W/cp/admin.token"); export ADMIN
"$D" login --server "http://127.0.0.1:$PORT" --token-env ADMIN >/dev/null
DBOPS_TOKEN=$("$D" token create bench --server "http://127.0.0.1:$PORT" | tail -1)
DBOPS_JAVA_OPTS=$DELEGATE_JAVA_OPTS DBOPS_TOKEN=$DBOPS_TOKEN DBOPS_ALLOW_INSECURE=true DBOPS_METRICS_PORT=0 DBOPS_CAPACITY=$TASKS \
  DBOPS_STATE_DIR=$W/state "$D" delegate --server "http://127.0.0.1:$PORT" --name bench >"$W/delegate.log" 2>&1 &
echo $! >"$W/delegate.pid"
PID=$(cat "$W/delegate.pid")
until grep -q 'Connected to' "$W/delegate.log"; do sleep 0.5; done
rss() {
  awk '/VmRSS|RssAnon|RssFile/ {printf "%s %d MiB  ", $1, $2/1024} /^Threads/ {printf "%s %d  ", $1, $2}' "/proc/$PID/status"
  echo "($(uptime | sed 's/.*load/load/'))"
  if [ "${DBOPS_BENCH_NMT:-0}" = 1 ]; then
    jcmd "$PID" VM.native_memory summary scale=KB | grep -A1 -- '- *Thread (' | tr -s ' \n' ' ' | sed 's/^/  NMT/'
    echo
  fi
}
echo "delegate pid $PID ($D), capacity $TASKS; $(uptime)"
set +e
MPORT=$(grep -o 'endpoints on port [0-9]*' "$W/delegate.log" | awk '{print $4}')
sleep "$IDLE"
echo "idle after ${IDLE} s: $(rss)"
i=0
pids=""
while [ $i -lt "$TASKS" ]; do
  curl -sS -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
    -d '{"type":"noop","payload":{"sleepMillis":30000},"timeoutSeconds":300}' "http://127.0.0.1:$PORT/api/v1/tasks" >>"$W/submit.log" 2>&1 &
  pids="$pids $!"
  i=$((i + 1))
done
# shellcheck disable=SC2086
wait $pids
echo "submitted $TASKS no-op tasks: HTTP $(sort "$W/submit.log" | uniq -c | tr '\n' ' ')"
n=0
while [ $n -lt 20 ]; do
  running=$(curl -s "http://127.0.0.1:$MPORT/metrics" \
    | awk '/^dbops_delegate_tasks_running/ {print $2}')
  echo "under load (running ${running:-?}): $(rss)"
  sleep 2
  n=$((n + 1))
done
sleep 20
echo "idle again: $(rss)"
