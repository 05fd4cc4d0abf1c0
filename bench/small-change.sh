#!/bin/sh
# Small-change and typical-stage benchmark (docs/performance.md, "Small change"), side by side in
# one run, rounds alternating:
#   plain    plain Liquibase 4.33.0 CLI `update` (liquibase.integration.commandline.LiquibaseCommandLine
#            from the distribution's own liquibase-core 4.33.0, picocli and JDBC jars), cold JVM
#   small    `dbops run` of a one-stage pipeline with one apply step
#   typical  `dbops run` of status -> preview -> policy -> apply
# each on a fresh PostgreSQL database, the same 3-changeset changelog (examples/quickstart), timed
# from start to exit. Control plane and delegate (launcher defaults, local runtime) run throughout.
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and psql. Builds the distribution
# unless DBOPS_BENCH_NO_BUILD=1.
#   bench/small-change.sh [rounds]
set -e
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
if [ "${DBOPS_BENCH_NO_BUILD:-0}" != 1 ]; then
  ./mvnw -B -q -pl cli -am package -DskipTests
fi
DIST=$PWD/cli/target/dbops
D=$DIST/bin/dbops
W=$(mktemp -d)
export HOME=$W
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() { for p in "$W"/*.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null || true; done; }
trap cleanup EXIT
cp -r examples/quickstart/changelog "$W/changelog"
pipeline() { # name, database, steps...
  name=$1; db=$2; shift 2
  {
    echo "name: bench-$name"
    echo "stages:"
    echo "  - name: dev"
    echo "    database: {url: 'jdbc:postgresql://127.0.0.1:5432/$db', username: postgres}"
    echo "    steps:"
    for s in "$@"; do
      echo "      - {name: $s, type: $s, changelog: changelog/db.changelog-master.yaml}"
    done
  } >"$W/$name.yaml"
}
fresh() { psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" postgres; }
millis() { date +%s%3N; }
# Each dbops run starts on an idle delegate whose warm pod is ready, the case of a change reaching a
# waiting delegate: wait until the delegate logged one more warm pod than stages took (its refill
# starts once stages were quiet for 5 s and runs a warm-up). DBOPS_LOCAL_WARM_PODS=0 measures the
# cold path (then nothing is awaited).
await_warm() {
  [ "${DBOPS_LOCAL_WARM_PODS:-1}" = 0 ] && return 0
  i=0
  while [ "$(grep -c 'is warm after' "$W/delegate.log")" -le "$(grep -c 'on warm pod' "$W/delegate.log")" ]; do
    i=$((i + 1)); [ "$i" -gt 600 ] && { echo "no warm pod within 300 s"; tail -20 "$W/delegate.log"; exit 1; }
    sleep 0.5
  done
}
"$D" server --port "$PORT" --data-dir "$W/cp" >"$W/server.log" 2>&1 & echo $! >"$W/server.pid"
until grep -q 'listening on http' "$W/server.log"; do sleep 0.5; done
ADMIN=$(cat "$W/cp/admin.token"); export ADMIN
"$D" login --server "http://127.0.0.1:$PORT" --token-env ADMIN >/dev/null
TOKEN=$("$D" token create bench --server "http://127.0.0.1:$PORT" | tail -1)
DBOPS_TOKEN=$TOKEN DBOPS_ALLOW_INSECURE=true DBOPS_METRICS_PORT=0 DBOPS_ALLOW_HOSTS=127.0.0.1:5432 DBOPS_ALLOW_CHANGELOG_DIRS="$W" \
  DBOPS_STATE_DIR=$W/state "$D" delegate --server "http://127.0.0.1:$PORT" --name bench >"$W/delegate.log" 2>&1 &
echo $! >"$W/delegate.pid"
until grep -q 'Connected to' "$W/delegate.log"; do sleep 0.5; done
echo "dbops $(git rev-parse --short HEAD 2>/dev/null), $ROUNDS rounds; $(uptime)"
r=1
while [ "$r" -le "$ROUNDS" ]; do
  await_warm
  fresh bench_plain
  t0=$(millis)
  java -cp "$DIST/lib/*" liquibase.integration.commandline.LiquibaseCommandLine --show-banner=false \
    --url=jdbc:postgresql://127.0.0.1:5432/bench_plain --username=postgres \
    --search-path="$W" --changelog-file=changelog/db.changelog-master.yaml update >"$W/plain.log" 2>&1 \
    || { cat "$W/plain.log"; exit 1; }
  plain=$(( $(millis) - t0 ))
  fresh bench_small
  pipeline small bench_small apply
  t0=$(millis)
  (cd "$W" && "$D" run small.yaml --server "http://127.0.0.1:$PORT" >"$W/small.log" 2>&1) || { cat "$W/small.log"; exit 1; }
  small=$(( $(millis) - t0 ))
  await_warm
  fresh bench_typical
  pipeline typical bench_typical status preview policy apply
  t0=$(millis)
  (cd "$W" && "$D" run typical.yaml --server "http://127.0.0.1:$PORT" >"$W/typical.log" 2>&1) || { cat "$W/typical.log"; exit 1; }
  typical=$(( $(millis) - t0 ))
  echo "round $r: plain ${plain} ms, small ${small} ms ($(echo "scale=2; $small / $plain" | bc) x plain), typical ${typical} ms ($(echo "scale=2; $typical / $small" | bc) x small); $(uptime | sed 's/.*load/load/')"
  r=$((r + 1))
done
# init to ready of each build pod, as the delegate logged it (cold, or on a warm / idle pod: docs/performance.md)
echo "pod readiness (init task to ready, delegate log):"
grep -o 'Pod [^ ]* is ready[^:]*' "$W/delegate.log" | sed 's/ (pids [^)]*)//' | awk '{print "  " $0}'
for db in bench_plain bench_small bench_typical; do psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $db" postgres; done
