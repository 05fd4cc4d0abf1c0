#!/bin/sh
# Fleet rollout benchmark (docs/performance.md, "Fleet rollouts"): one changeset to N PostgreSQL
# databases, side by side in one run, for each N:
#   rollout  `dbops run` of a pipeline with one rollout stage (targetGroup over N stored targets,
#            canary 1, then the rest, at most $PARALLEL at once), two delegates, local runtime with
#            the launcher's defaults (warm pods); ROLLOUTS names the variants run, each on its own
#            databases: "reused" (rollout.reusePods: true, pods serve several targets in sequence)
#            and "separate" (one pod per target, the default of a rollout)
#   step     a shell loop of `dbops step apply` (cold launcher per database)
#   plain    a shell loop of the plain Liquibase 4.33.0 CLI `update` (LiquibaseCommandLine from the
#            distribution's own jars, cold JVM per database)
# each on its own fresh databases. Reports the total times, the control plane's heap (peak used while
# the rollout ran, sampled every 2 s with jcmd GC.heap_info, and used after a full GC once it ended)
# and the delegates' peak RSS (VmRSS of the two delegate JVMs; build pods are separate processes).
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust), psql and jcmd. Builds the distribution
# unless DBOPS_BENCH_NO_BUILD=1.
#   bench/rollout.sh [N ...]          (default: 50 100 200)
#   PARALLEL=4 LOOPS=0 bench/rollout.sh 50   (LOOPS=0: the rollout only)
#   ROLLOUTS="reused separate" bench/rollout.sh 50   (default: reused)
set -e
cd "$(dirname "$0")/.."
SIZES=${*:-50 100 200}
PARALLEL=${PARALLEL:-4}
LOOPS=${LOOPS:-1}
ROLLOUTS=${ROLLOUTS:-reused}
if [ "${DBOPS_BENCH_NO_BUILD:-0}" != 1 ]; then
  ./mvnw -B -q -pl cli -am package -DskipTests
fi
DIST=$PWD/cli/target/dbops
D=$DIST/bin/dbops
W=$(mktemp -d)
export HOME=$W
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT
cleanup() { for p in "$W"/*.pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null || true; done; }
trap cleanup EXIT
mkdir -p "$W/p"
cat >"$W/p/changelog.sql" <<'SQL'
--liquibase formatted sql

--changeset bench:1-tenant-column
CREATE TABLE tenant_settings (id INT PRIMARY KEY, name VARCHAR(100));
SQL
psqlq() { psql -q -h 127.0.0.1 -U postgres "$@" postgres 2>/dev/null; }
create() { i=1; while [ "$i" -le "$2" ]; do psqlq -c "DROP DATABASE IF EXISTS ${1}_$i" -c "CREATE DATABASE ${1}_$i"; i=$((i + 1)); done; }
drop() { i=1; while [ "$i" -le "$2" ]; do psqlq -c "DROP DATABASE IF EXISTS ${1}_$i"; i=$((i + 1)); done; }
millis() { date +%s%3N; }
# used MiB of the Java heap: the sum over its generations (Serial: new + tenured; G1: the one heap line)
heap_used() { jcmd "$1" GC.heap_info 2>/dev/null | awk '/generation|garbage-first heap/ {for (i=1;i<=NF;i++) if ($i=="used") {v=$(i+1); sub(/K,?/,"",v); s+=v}} END {print int(s/1024)}'; }
rss() { awk '/VmRSS/ {print int($2/1024)}' "/proc/$1/status" 2>/dev/null || echo 0; }

"$D" server --port "$PORT" --data-dir "$W/cp" >"$W/server.log" 2>&1 & echo $! >"$W/server.pid"
until grep -q 'listening on http' "$W/server.log"; do sleep 0.5; done
CP=$(cat "$W/server.pid")
ADMIN=$(cat "$W/cp/admin.token"); export ADMIN
"$D" login --server "$URL" --token-env ADMIN >/dev/null
TOKEN=$("$D" token create bench --server "$URL" | tail -1)
for n in 1 2; do
  DBOPS_TOKEN=$TOKEN DBOPS_ALLOW_INSECURE=true DBOPS_METRICS_PORT=0 DBOPS_ALLOW_HOSTS=127.0.0.1:5432 \
    DBOPS_ALLOW_CHANGELOG_DIRS="$W" DBOPS_CAPACITY=$PARALLEL DBOPS_STATE_DIR=$W/state$n \
    "$D" delegate --server "$URL" --name "bench-$n" >"$W/delegate$n.log" 2>&1 &
  echo $! >"$W/delegate$n.pid"
done
until grep -q 'Connected to' "$W/delegate1.log" && grep -q 'Connected to' "$W/delegate2.log"; do sleep 0.5; done
DEL1=$(cat "$W/delegate1.pid"); DEL2=$(cat "$W/delegate2.pid")
echo "dbops $(git rev-parse --short HEAD 2>/dev/null), sizes: $SIZES, maxParallel $PARALLEL, two delegates; $(uptime)"
echo "control plane idle: heap used $(heap_used "$CP") MiB; delegates RSS $(rss "$DEL1") + $(rss "$DEL2") MiB"
for N in $SIZES; do
  line="N=$N"
  for mode in $ROLLOUTS; do
    create ro_${mode}_$N "$N"
    REUSE=false; [ "$mode" = reused ] && REUSE=true
    {
      echo "apiVersion: dbops/v1"
      echo "environments: [{name: bench}]"
      echo "targets:"
      i=1
      while [ "$i" -le "$N" ]; do
        echo "  - {name: ro-$mode-$N-$i, environment: bench, url: 'jdbc:postgresql://127.0.0.1:5432/ro_${mode}_${N}_$i', username: postgres, labels: {fleet: bench, size: '$mode-$N'}}"
        i=$((i + 1))
      done
    } >"$W/catalog-$mode-$N.yaml"
    "$D" apply -f "$W/catalog-$mode-$N.yaml" --server "$URL" >/dev/null
    cat >"$W/p/rollout-$mode-$N.yaml" <<YAML
name: bench-rollout-$mode-$N
stages:
  - name: fleet
    targetGroup: fleet=bench,size=$mode-$N
    rollout: {canary: 1, waves: [rest], maxParallel: $PARALLEL, failureBudget: "100%", reusePods: $REUSE}
    steps:
      - {name: apply, type: apply, changelog: changelog.sql}
YAML
    : >"$W/samples-$mode-$N"
    ( while :; do echo "$(heap_used "$CP") $(rss "$DEL1") $(rss "$DEL2")" >>"$W/samples-$mode-$N"; sleep 2; done ) &
    SAMPLER=$!
    t0=$(millis)
    (cd "$W/p" && "$D" run "rollout-$mode-$N.yaml" --server "$URL" >"$W/rollout-$mode-$N.log" 2>&1) || { tail -30 "$W/rollout-$mode-$N.log"; exit 1; }
    rollout=$(( $(millis) - t0 ))
    kill "$SAMPLER"
    jcmd "$CP" GC.run >/dev/null 2>&1 || true
    sleep 1
    after=$(heap_used "$CP")
    peak=$(awk 'BEGIN {h=0; d=0} {if ($1>h) h=$1; if ($2+$3>d) d=$2+$3} END {print h " " d}' "$W/samples-$mode-$N")
    applied=0; i=1
    while [ "$i" -le "$N" ]; do
      applied=$((applied + $(psql -tA -h 127.0.0.1 -U postgres -c "select count(*) from databasechangelog" "ro_${mode}_${N}_$i")))
      i=$((i + 1))
    done
    line="$line; rollout ($mode) ${rollout} ms ($applied history rows: the changeset and the pre-start tag per database), control plane heap peak $(echo "$peak" | cut -d' ' -f1) MiB, after GC $after MiB, delegates RSS peak $(echo "$peak" | cut -d' ' -f2) MiB"
    drop ro_${mode}_$N "$N"
  done
  if [ "$LOOPS" = 1 ]; then
    create rs_$N "$N"
    t0=$(millis); i=1
    while [ "$i" -le "$N" ]; do
      "$D" step apply --search-path "$W/p" --changelog changelog.sql --url "jdbc:postgresql://127.0.0.1:5432/rs_${N}_$i" \
        --username postgres >"$W/step.log" 2>&1 || { cat "$W/step.log"; exit 1; }
      i=$((i + 1))
    done
    step=$(( $(millis) - t0 ))
    drop rs_$N "$N"
    create rp_$N "$N"
    t0=$(millis); i=1
    while [ "$i" -le "$N" ]; do
      java -cp "$DIST/lib/*" liquibase.integration.commandline.LiquibaseCommandLine --show-banner=false \
        --url="jdbc:postgresql://127.0.0.1:5432/rp_${N}_$i" --username=postgres --search-path="$W/p" \
        --changelog-file=changelog.sql update >"$W/plain.log" 2>&1 || { cat "$W/plain.log"; exit 1; }
      i=$((i + 1))
    done
    plain=$(( $(millis) - t0 ))
    drop rp_$N "$N"
    line="$line; loop of dbops step apply ${step} ms; loop of plain Liquibase ${plain} ms"
  fi
  echo "$line; $(uptime | sed 's/.*load/load/')"
done
