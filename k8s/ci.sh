# Sourced by .ci/run (bash): builds kube-apiserver and kube-controller-manager once per machine
# (k8s/build-apiserver.sh, cached in /var/cache/dbops-k8s), starts them with etcd on loopback
# (k8s/start-apiserver.sh), exports DBOPS_TEST_KUBECONFIG for the real-API-server tests
# (deploy-tests ChartsOnKubernetesIT), and stops them when the shell exits.
# shellcheck shell=bash
dbops_k8s_start() {
  local root state t0
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  state=$(mktemp -d /tmp/dbops-k8s-ci.XXXXXX)
  t0=$(date +%s)
  DBOPS_TEST_KUBECONFIG=$("$root/start-apiserver.sh" "$state")
  export DBOPS_TEST_KUBECONFIG
  # shellcheck disable=SC2064
  trap "'$root/stop-apiserver.sh' '$state'; rm -rf '$state'" EXIT
  printf '[ci] real Kubernetes API server up in %s s (build included when not cached)\n' "$(($(date +%s) - t0))"
}
dbops_k8s_start
