#!/bin/sh
# Migration state benchmark (docs/performance.md "Migration state"): one control plane (launcher
# defaults, H2) seeded through its real API and recording path: a declarative file with two
# environments (a, b) of TARGETS targets each, then one refresh per environment (POST
# /api/v1/environments/E/refresh), answered by bench/StateSeeder.java, a simulated delegate that
# returns a history of ROWS changesets per target of a, ROWS-10 per target of b, and BIG rows for
# target bench-a-0 (alone in environment big). Then times, from the same machine with curl (median of REPEAT calls):
# GET /api/v1/targets/bench-a-0/state (BIG changesets) and GET /api/v1/diff?from=a&to=b, and
# `dbops state` / `dbops diff` as a user runs them (JVM start included).
# Builds the distribution unless DBOPS_BENCH_NO_BUILD=1. Linux, JDK 17, curl, python3.
#   bench/state.sh [targets=200] [rows=200] [big=2000] [repeat=20]
set -e
cd "$(dirname "$0")/.."
TARGETS=${1:-200}
ROWS=${2:-200}
BIG=${3:-2000}
REPEAT=${4:-20}
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
URL="http://127.0.0.1:$PORT"
ADMIN=$(cat "$W/cp/admin.token"); export ADMIN
"$D" login --server "$URL" --token-env ADMIN >/dev/null
TOKEN=$("$D" token create state-seeder --server "$URL" | tail -1)
python3 - "$TARGETS" >"$W/fleet.yaml" <<'PY'
import sys
n = int(sys.argv[1])
print("apiVersion: dbops/v1\nenvironments:\n  - {name: a, order: 1}\n  - {name: b, order: 2}\n  - {name: big, order: 3}\ntargets:")
for env in "ab":
    for i in range(1, n + 1):
        print(f'  - {{name: bench-{env}-{i}, environment: {env}, url: "jdbc:h2:mem:bench-{env}-{i}"}}')
print('  - {name: bench-a-0, environment: big, url: "jdbc:h2:mem:bench-a-0"}')
PY
"$D" apply -f "$W/fleet.yaml" --server "$URL" | tail -1
java bench/StateSeeder.java "ws://127.0.0.1:$PORT/api/v1/delegates/connect" "$TOKEN" "$ROWS" 10 "$BIG" >"$W/seeder.log" 2>&1 &
echo $! >"$W/seeder.pid"
until grep -q welcomed "$W/seeder.log"; do sleep 0.5; done
api() { curl -s -H "Authorization: Bearer $ADMIN" "$@"; }
t0=$(date +%s%N)
status() { api "$URL/api/v1/executions/$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])'; }
IDS=""
for env in a b big; do
  R=$(api -X POST "$URL/api/v1/environments/$env/refresh")
  E=$(echo "$R" | python3 -c 'import json,sys; print(" ".join(json.load(sys.stdin).get("executionIds", [])))')
  [ -n "$E" ] || { echo "refresh of $env refused: $R"; exit 1; }
  IDS="$IDS $E"
done
for ID in $IDS; do
  until [ "$(status "$ID")" = SUCCEEDED ] || [ "$(status "$ID")" = FAILED ]; do sleep 1; done
done
echo "refresh executions: $(echo $IDS | wc -w), $(for ID in $IDS; do status "$ID"; done | sort | uniq -c | tr '\n' ' ')"
# the recorder writes on its own thread: wait until the last target of b is recorded
until api "$URL/api/v1/targets/bench-b-$TARGETS/state" | grep -q '"changesets":\[{'; do sleep 0.5; done
echo "seeding: $(( ($(date +%s%N) - t0) / 1000000 )) ms for $((2 * TARGETS + 1)) targets, $(( 2 * TARGETS * ROWS - TARGETS * 10 + BIG )) rows"
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
ticks() { awk '{ print $14 + $15 }' "/proc/$(cat "$W/server.pid")/stat"; }
timed() { # median wall milliseconds of REPEAT GETs of $1, and the control plane's CPU ms per GET
  t=$(ticks)
  m=$(i=0; while [ $i -lt "$REPEAT" ]; do
    api -o /dev/null -w '%{time_total}\n' "$1"; i=$((i + 1))
  done | awk '{ printf "%.1f\n", $1 * 1000 }' | median)
  echo "$m ms wall, $(( ($(ticks) - t) * 1000 / $(getconf CLK_TCK) / REPEAT )) ms control plane CPU per call"
}
api "$URL/api/v1/targets/bench-a-0/state" >/dev/null
echo "GET state of a target with $(api "$URL/api/v1/targets/bench-a-0/state" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["changesets"]))') changesets: median $(timed "$URL/api/v1/targets/bench-a-0/state") ($(api "$URL/api/v1/targets/bench-a-0/state" | wc -c) bytes)"
echo "GET diff of a and b ($TARGETS targets each): median $(timed "$URL/api/v1/diff?from=a&to=b") ($(api "$URL/api/v1/diff?from=a&to=b" | wc -c) bytes)"
echo "GET environment grid of a: median $(timed "$URL/api/v1/environments/a/state")"
s0=$(date +%s%N); "$D" state bench-a-0 --server "$URL" >/dev/null; s1=$(date +%s%N)
"$D" diff a b --server "$URL" >/dev/null; s2=$(date +%s%N)
echo "dbops state bench-a-0: $(( (s1 - s0) / 1000000 )) ms; dbops diff a b: $(( (s2 - s1) / 1000000 )) ms (each a new JVM)"
echo "control plane RSS $(awk '/VmRSS/ { print int($2 / 1024) }' "/proc/$(cat "$W/server.pid")/status") MiB; $(uptime | sed 's/.*load/load/')"
