#!/usr/bin/env bash
# Builds kube-apiserver and kube-controller-manager from Debian's `kubernetes` source package (the
# upstream source with vendor/), once per machine, cached OUTSIDE the clone and keyed by the source
# version: $DBOPS_K8S_CACHE/<version>/bin (default /var/cache/dbops-k8s). A second run finds the cache
# and only prints its directory. Prints the bin directory on stdout; progress goes to stderr.
#
# Needs root for apt-get (golang-go, etcd-server, the Debian copies of reflect2 and json-iterator,
# dpkg-dev); the machine's apt configuration is not changed: the source is fetched with a private apt
# state directory whose deb-src lines are derived from the machine's own deb lines.
# About 7 minutes on 2 idle cores and 1.4 GB of memory (docs/kubernetes.md); the Go build runs under
# `nice -n 10`.
set -euo pipefail

CACHE_ROOT=${DBOPS_K8S_CACHE:-/var/cache/dbops-k8s}
PACKAGE=kubernetes
GO_PACKAGES=(golang-go etcd-server golang-github-modern-go-reflect2-dev golang-github-json-iterator-go-dev dpkg-dev)

log() { printf '[k8s-build] %s\n' "$*" >&2; }

cached() { # dir
  [[ -x $1/bin/kube-apiserver && -x $1/bin/kube-controller-manager ]]
}

# Warm path: the last build of this machine, unless a rebuild is asked for.
if [[ -z ${DBOPS_K8S_REBUILD:-} && -L $CACHE_ROOT/current ]] && cached "$CACHE_ROOT/current"; then
  log "cached: $(readlink -f "$CACHE_ROOT/current")"
  readlink -f "$CACHE_ROOT/current/bin"
  exit 0
fi

missing=()
for p in "${GO_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq "${missing[@]}" >&2
fi

# A private apt state with deb-src lines: the machine's deb sources, as source sources.
APT=$CACHE_ROOT/apt
mkdir -p "$APT/sources.list.d" "$APT/lists/partial" "$APT/cache/archives/partial"
rm -f "$APT"/sources.list.d/*
for f in /etc/apt/sources.list.d/*.sources; do
  [[ -e $f ]] || continue
  sed -e 's/^Types:.*/Types: deb-src/' "$f" >"$APT/sources.list.d/$(basename "$f")"
done
if [[ -f /etc/apt/sources.list ]]; then
  sed -n -e 's/^deb \(.*\)/deb-src \1/p' /etc/apt/sources.list >"$APT/sources.list.d/legacy.list"
fi
APT_OPTIONS=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$APT/sources.list.d"
  -o Dir::State::Lists="$APT/lists" -o Dir::Cache="$APT/cache")
apt_private() { apt-get "${APT_OPTIONS[@]}" "$@"; }
log "reading the source index (private apt state in $APT)"
apt_private update -qq >&2
VERSION=$(apt-cache "${APT_OPTIONS[@]}" showsrc "$PACKAGE" 2>/dev/null | sed -n 's/^Version: //p' | sort -V | tail -1)
if [[ -z $VERSION ]]; then
  log "no source package $PACKAGE in the machine's apt sources"; exit 1
fi
KEY=${VERSION//[^A-Za-z0-9.+_-]/_}
OUT=$CACHE_ROOT/$KEY
if [[ -z ${DBOPS_K8S_REBUILD:-} ]] && cached "$OUT"; then
  ln -sfn "$OUT" "$CACHE_ROOT/current"
  log "cached: $OUT"
  echo "$OUT/bin"
  exit 0
fi

WORK=$OUT/build
rm -rf "$WORK"
mkdir -p "$WORK/download" "$OUT/bin"
log "fetching $PACKAGE $VERSION (source)"
(cd "$WORK/download" && apt_private -o APT::Sandbox::User=root source --download-only -qq "$PACKAGE=$VERSION" >&2)
log "unpacking"
dpkg-source --no-check -x "$WORK"/download/"${PACKAGE}"_*.dsc "$WORK/src" >&2

# GOPATH mode: the tree as k8s.io/kubernetes, its vendor/ (staging repositories are symlinked there).
mkdir -p "$WORK/gopath/src/k8s.io"
ln -s "$WORK/src" "$WORK/gopath/src/k8s.io/kubernetes"
SRC=$WORK/gopath/src/k8s.io/kubernetes

# Go 1.18+ crashes (SIGSEGV in map iteration) with the vendored reflect2 1.0.1 and json-iterator
# 1.1.10: use Debian's newer copies.
for dep in github.com/modern-go/reflect2 github.com/json-iterator/go; do
  rm -rf "${SRC:?}/vendor/$dep"
  cp -r "/usr/share/gocode/src/$dep" "$SRC/vendor/$dep"
  rm -f "$SRC/vendor/$dep/go.mod" "$SRC/vendor/$dep/go.sum"
  find "$SRC/vendor/$dep" -name '*_test.go' -delete
done

export GO111MODULE=off GOPATH=$WORK/gopath GOCACHE=$CACHE_ROOT/gocache GOFLAGS= CGO_ENABLED=0
cd "$SRC"
GIT_VERSION=v$(sed -n 's/.*really\([0-9.]*\).*/\1/p' <<<"$VERSION")
[[ $GIT_VERSION != v ]] || GIT_VERSION=v${VERSION%%[-+]*}
MAJOR=${GIT_VERSION#v}; MAJOR=${MAJOR%%.*}
MINOR=${GIT_VERSION#v*.}; MINOR=${MINOR%%.*}

# pkg/generated/openapi/zz_generated.openapi.go is not in the tarball: generate it with the vendored
# openapi-gen from every package tagged +k8s:openapi-gen=true (as hack/make-rules does).
log "generating the OpenAPI definitions"
nice -n 10 go build -o "$WORK/openapi-gen" ./vendor/k8s.io/kube-openapi/cmd/openapi-gen >&2
# (build/root/Makefile.generated_files: KUBE_OPENAPI_TAG_FILES, without code-generator and sample-apiserver)
inputs=$(grep -rl --include=*.go '+k8s:openapi-gen=' pkg staging/src/k8s.io vendor 2>/dev/null \
  | grep -v -e '^staging/src/k8s.io/code-generator/' -e '^staging/src/k8s.io/sample-apiserver/' -e '_test.go$' \
  | xargs -n1 dirname | sed -e 's|^staging/src/||' -e 's|^vendor/||' -e 's|^pkg/|k8s.io/kubernetes/pkg/|' \
  | LC_ALL=C sort -u | paste -sd, -)
nice -n 10 "$WORK/openapi-gen" --logtostderr -i "$inputs" -p k8s.io/kubernetes/pkg/generated/openapi \
  -O zz_generated.openapi -h hack/boilerplate/boilerplate.generatego.txt \
  --report-filename "$WORK/openapi-violations.txt" >&2

LDFLAGS="-s -w"
for pkg in k8s.io/component-base/version k8s.io/kubernetes/vendor/k8s.io/component-base/version \
  k8s.io/client-go/pkg/version k8s.io/kubernetes/vendor/k8s.io/client-go/pkg/version; do
  LDFLAGS+=" -X $pkg.gitVersion=$GIT_VERSION -X $pkg.gitMajor=$MAJOR -X $pkg.gitMinor=$MINOR"
  LDFLAGS+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done
for cmd in kube-apiserver kube-controller-manager; do
  log "building $cmd $GIT_VERSION (nice -n 10; this takes minutes)"
  /usr/bin/time -f "[k8s-build] $cmd: %e s, max RSS %M KiB" \
    nice -n 10 go build -p 2 -ldflags "$LDFLAGS" -o "$OUT/bin/$cmd.tmp" "./cmd/$cmd" >&2
  mv "$OUT/bin/$cmd.tmp" "$OUT/bin/$cmd"
done
"$OUT/bin/kube-apiserver" --version >&2
echo "$VERSION" >"$OUT/source-version"
ln -sfn "$OUT" "$CACHE_ROOT/current"
# The source tree (about 1 GB) is not needed any more; the Go build cache stays for a rebuild.
rm -rf "$WORK"
log "built into $OUT/bin"
echo "$OUT/bin"
