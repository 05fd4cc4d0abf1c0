#!/bin/sh
# Real-world changelogs, cold process to exit (docs/performance.md): `dbops step apply` (the launcher,
# its defaults and CDS archive) against the plain Liquibase 4.33.0 CLI (LiquibaseCommandLine from
# the distribution's own jars) `update`, alternating, each on a fresh PostgreSQL database, on the
# Kratos set in ../shared/data (or DATA). Then compares the two schemas (pg_dump --schema-only,
# Liquibase's tables left out). Builds the distribution unless DBOPS_BENCH_NO_BUILD=1.
# SETS (default "kratos fineract"): Fineract runs its two passes (contexts as ../shared/data/README.md
# says: initial_switch first, then without it), timed together, for both methods.
#   bench/real-world.sh [rounds=3]
set -e
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
DATA=${DATA:-$PWD/../shared/data}
[ -d "$DATA/kratos" ] || DATA=/work/shared/data
if [ "${DBOPS_BENCH_NO_BUILD:-0}" != 1 ]; then
  ./mvnw -B -q -pl cli -am package -DskipTests
fi
DIST=$PWD/cli/target/dbops
fresh() { psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" postgres 2>/dev/null; }
millis() { date +%s%3N; }
echo "$(uptime)"
SETS=${SETS:-kratos fineract}
FINERACT_CONTEXTS="tenant_db,custom_changelog,initial_switch,default,postgresql tenant_db,custom_changelog,default,postgresql"
dbops_apply() { # set, database
  if [ "$1" = kratos ]; then
    "$DIST/bin/dbops" step apply --search-path "$DATA/kratos" --changelog changelog-postgres.xml \
      --url "jdbc:postgresql://127.0.0.1:5432/$2" --username postgres >/tmp/rw-dbops.log 2>&1 || { cat /tmp/rw-dbops.log; exit 1; }
  else
    for ctx in $FINERACT_CONTEXTS; do
      "$DIST/bin/dbops" step apply --search-path "$DATA/fineract/changelog-root" \
        --changelog db/changelog/acceptance-tenant-master.xml --contexts "$ctx" \
        --url "jdbc:postgresql://127.0.0.1:5432/$2" --username postgres >/tmp/rw-dbops.log 2>&1 || { cat /tmp/rw-dbops.log; exit 1; }
    done
  fi
}
plain_update() { # set, database
  if [ "$1" = kratos ]; then
    java -cp "$DIST/lib/*" liquibase.integration.commandline.LiquibaseCommandLine --show-banner=false \
      --url="jdbc:postgresql://127.0.0.1:5432/$2" --username=postgres --search-path="$DATA/kratos" \
      --changelog-file=changelog-postgres.xml update >/tmp/rw-plain.log 2>&1 || { cat /tmp/rw-plain.log; exit 1; }
  else
    for ctx in $FINERACT_CONTEXTS; do
      java -cp "$DIST/lib/*" liquibase.integration.commandline.LiquibaseCommandLine --show-banner=false \
        --url="jdbc:postgresql://127.0.0.1:5432/$2" --username=postgres --search-path="$DATA/fineract/changelog-root" \
        --changelog-file=db/changelog/acceptance-tenant-master.xml --contexts="$ctx" update >/tmp/rw-plain.log 2>&1 \
        || { cat /tmp/rw-plain.log; exit 1; }
    done
  fi
}
for set in $SETS; do
  r=1
  while [ "$r" -le "$ROUNDS" ]; do
    fresh rw_dbops
    t0=$(millis)
    dbops_apply "$set" rw_dbops
    dbops=$(( $(millis) - t0 ))
    fresh rw_plain
    t0=$(millis)
    plain_update "$set" rw_plain
    plain=$(( $(millis) - t0 ))
    echo "$set round $r: dbops ${dbops} ms, plain ${plain} ms, $(echo "scale=2; $dbops / $plain" | bc) x; $(uptime | sed 's/.*load/load/')"
    r=$((r + 1))
  done
  for db in rw_dbops rw_plain; do
    pg_dump -h 127.0.0.1 -U postgres --schema-only -T 'databasechangelog*' "$db" | grep -v -e '^--' -e '^.restrict' -e '^.unrestrict' >"/tmp/rw-$db.sql"
  done
  if diff -q /tmp/rw-rw_dbops.sql /tmp/rw-rw_plain.sql >/dev/null; then echo "schemas identical"; else echo "schemas differ"; fi
  echo "history rows: dbops $(psql -tA -h 127.0.0.1 -U postgres -c 'select count(*) from databasechangelog' rw_dbops), plain $(psql -tA -h 127.0.0.1 -U postgres -c 'select count(*) from databasechangelog' rw_plain)"
done
