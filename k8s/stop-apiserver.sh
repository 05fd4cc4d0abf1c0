#!/usr/bin/env bash
# Stops what k8s/start-apiserver.sh STATE_DIR started (the processes listed in STATE_DIR/pids, by id).
set -uo pipefail
STATE=${1:-/tmp/dbops-k8s}
[[ -f $STATE/pids ]] || exit 0
# controller manager and API server first, etcd last
tac "$STATE/pids" | while read -r pid name; do
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    printf '[k8s] stopped %s (%s)\n' "$name" "$pid" >&2
  fi
done
rm -f "$STATE/pids"
