#!/usr/bin/env bash
# Starts a real Kubernetes control plane on loopback for tests: etcd, kube-apiserver (RBAC, a token
# file, service-account keys, a self-signed serving certificate) and kube-controller-manager (garbage
# collector, namespace and service-account controllers). No scheduler, kubelet or network plugin.
#
#   k8s/start-apiserver.sh [STATE_DIR]      (default /tmp/dbops-k8s)
#
# Builds the binaries first when they are not cached (k8s/build-apiserver.sh). Prints the kubeconfig's
# path on stdout (cluster-admin through the token file); STATE_DIR/env holds DBOPS_TEST_KUBECONFIG
# for the tests. Stop with k8s/stop-apiserver.sh STATE_DIR. Logs: STATE_DIR/*.log.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
STATE=${1:-/tmp/dbops-k8s}
log() { printf '[k8s] %s\n' "$*" >&2; }

BIN=$("$HERE/build-apiserver.sh")
ETCD=$(command -v etcd || true)
[[ -n $ETCD ]] || { log "etcd not found (apt-get install etcd-server)"; exit 1; }

if [[ -f $STATE/pids ]]; then
  "$HERE/stop-apiserver.sh" "$STATE"
fi
rm -rf "$STATE"
mkdir -p "$STATE/certs" "$STATE/etcd"
chmod 700 "$STATE"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
ETCD_CLIENT=$(free_port); ETCD_PEER=$(free_port); API=$(free_port)

# Credentials: an admin token (system:masters), one for the controller manager, service-account keys.
# The controller manager runs every controller under its own identity (no per-controller service
# accounts), so it needs their rights together: system:masters as well (a loopback test server).
ADMIN_TOKEN=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
CM_TOKEN=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
cat >"$STATE/tokens.csv" <<CSV
$ADMIN_TOKEN,dbops-test-admin,dbops-test-admin,"system:masters"
$CM_TOKEN,system:kube-controller-manager,system:kube-controller-manager,"system:masters"
CSV
chmod 600 "$STATE/tokens.csv"
openssl genrsa -out "$STATE/sa.key" 2048 2>/dev/null
openssl rsa -in "$STATE/sa.key" -pubout -out "$STATE/sa.pub" 2>/dev/null

: >"$STATE/pids"
start() { # name, command...
  local name=$1; shift
  "$@" >"$STATE/$name.log" 2>&1 &
  echo "$! $name" >>"$STATE/pids"
}

start etcd "$ETCD" --name dbops-test --data-dir "$STATE/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT" --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER" \
  --initial-cluster "dbops-test=http://127.0.0.1:$ETCD_PEER" --quota-backend-bytes 1073741824

start kube-apiserver "$BIN/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:$ETCD_CLIENT" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$API" --insecure-port 0 \
  --cert-dir "$STATE/certs" \
  --authorization-mode RBAC --token-auth-file "$STATE/tokens.csv" --anonymous-auth=false \
  --service-account-key-file "$STATE/sa.pub" --service-account-signing-key-file "$STATE/sa.key" \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --api-audiences https://kubernetes.default.svc.cluster.local \
  --service-cluster-ip-range 10.96.0.0/16 \
  --disable-admission-plugins ServiceAccount \
  --enable-priority-and-fairness=false \
  --profiling=false --logtostderr=true --v=1

cat >"$STATE/kubeconfig" <<YAML
apiVersion: v1
kind: Config
clusters:
  - name: dbops-test
    cluster:
      server: https://127.0.0.1:$API
      # the API server's self-signed certificate (loopback only, a test server)
      insecure-skip-tls-verify: true
users:
  - name: dbops-test-admin
    user:
      token: $ADMIN_TOKEN
contexts:
  - name: dbops-test
    context:
      cluster: dbops-test
      user: dbops-test-admin
      namespace: default
current-context: dbops-test
YAML
sed -e "s/$ADMIN_TOKEN/$CM_TOKEN/" -e 's/dbops-test-admin$/system:kube-controller-manager/' \
  "$STATE/kubeconfig" >"$STATE/controller-manager.kubeconfig"
chmod 600 "$STATE"/*.kubeconfig "$STATE/kubeconfig"

ready() {
  curl -sk --max-time 2 -H "Authorization: Bearer $ADMIN_TOKEN" "https://127.0.0.1:$API/readyz" 2>/dev/null | grep -qx ok
}
for i in $(seq 1 120); do
  if ready; then break; fi
  if ! kill -0 "$(awk '$2=="kube-apiserver"{print $1}' "$STATE/pids")" 2>/dev/null; then
    log "kube-apiserver exited:"; tail -20 "$STATE/kube-apiserver.log" >&2; exit 1
  fi
  sleep 0.5
done
ready || { log "kube-apiserver not ready within 60 s:"; tail -20 "$STATE/kube-apiserver.log" >&2; exit 1; }
log "kube-apiserver ready on https://127.0.0.1:$API after $((SECONDS)) s"

start kube-controller-manager "$BIN/kube-controller-manager" \
  --kubeconfig "$STATE/controller-manager.kubeconfig" \
  --authentication-kubeconfig "$STATE/controller-manager.kubeconfig" \
  --authorization-kubeconfig "$STATE/controller-manager.kubeconfig" \
  --controllers garbagecollector,namespace,serviceaccount,serviceaccount-token \
  --service-account-private-key-file "$STATE/sa.key" \
  --use-service-account-credentials=false --leader-elect=false \
  --bind-address 127.0.0.1 --secure-port 0 --port 0 --logtostderr=true --v=1

cat >"$STATE/env" <<ENV
DBOPS_TEST_KUBECONFIG=$STATE/kubeconfig
DBOPS_TEST_KUBE_URL=https://127.0.0.1:$API
ENV
log "started (state in $STATE); stop with $HERE/stop-apiserver.sh $STATE"
echo "$STATE/kubeconfig"
