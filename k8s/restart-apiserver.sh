#!/usr/bin/env bash
# Restarts only kube-apiserver of what k8s/start-apiserver.sh STATE_DIR started, with the same
# command line (same port, certificates and tokens; etcd and its data stay): every open watch is
# closed by the server, and clients must re-watch. Returns once /readyz answers ok again.
# For tests of watch handling (deploy-tests BuildPodWatchOnKubernetesIT).
#
#   k8s/restart-apiserver.sh STATE_DIR
set -euo pipefail
STATE=${1:?usage: restart-apiserver.sh STATE_DIR}
log() { printf '[k8s] %s\n' "$*" >&2; }

pid=$(awk '$2=="kube-apiserver"{print $1}' "$STATE/pids")
[[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || { log "no running kube-apiserver in $STATE/pids"; exit 1; }
mapfile -d '' cmd <"/proc/$pid/cmdline"
kill "$pid"
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && kill -9 "$pid"

"${cmd[@]}" >>"$STATE/kube-apiserver.log" 2>&1 &
new=$!
sed -i "s/^$pid kube-apiserver\$/$new kube-apiserver/" "$STATE/pids"

url=$(awk -F= '$1=="DBOPS_TEST_KUBE_URL"{print $2}' "$STATE/env")
token=$(head -1 "$STATE/tokens.csv" | cut -d, -f1)
for _ in $(seq 1 120); do
  if curl -sk --max-time 2 -H "Authorization: Bearer $token" "$url/readyz" 2>/dev/null | grep -qx ok; then
    log "kube-apiserver restarted ($pid -> $new)"
    exit 0
  fi
  kill -0 "$new" 2>/dev/null || { log "kube-apiserver exited:"; tail -20 "$STATE/kube-apiserver.log" >&2; exit 1; }
  sleep 0.5
done
log "kube-apiserver not ready within 60 s after the restart"; exit 1
