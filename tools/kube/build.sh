#!/usr/bin/env bash
# Builds the local control plane (etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kubectl, kwok) from the Go module proxy and caches the binaries
# outside the repo, keyed by version. A warm cache returns in well under a second.
#
# Prints the bin directory on stdout; progress goes to stderr.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"

cache_root=${MINI_RELOADER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mini-reloader}
bin="$cache_root/kube/k8s-$KUBE_VERSION-etcd-$ETCD_VERSION-kwok-$KWOK_VERSION/bin"
work="$cache_root/kube/work"
mkdir -p "$bin" "$work"

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false

log() { printf '[kube-build] %s\n' "$*" >&2; }

# Only one build at a time per cache: parallel test runs must not race.
exec 9>"$cache_root/kube/.build.lock"
flock 9

build_kubernetes() {
  local targets=()
  for t in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
    [ -x "$bin/$t" ] || targets+=("$t")
  done
  [ ${#targets[@]} -gt 0 ] || return 0
  log "building Kubernetes $KUBE_VERSION: ${targets[*]} (a cold build takes a while on 2 cores)"

  local mod="$work/kubernetes-$KUBE_VERSION"
  mkdir -p "$mod"
  local info gomod
  info=$(cd "$mod" && go mod download -json "k8s.io/kubernetes@$KUBE_VERSION")
  gomod=$(printf '%s' "$info" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
  local staging_version="v0${KUBE_VERSION#v1}"

  # k8s.io/kubernetes pins its staging modules to v0.0.0 behind replace lines that
  # only resolve inside its own repo; a wrapper module points them at the
  # published v0.x releases instead.
  {
    echo "module mini-reloader.local/kube-wrapper"
    echo
    sed -n 's/^go \(.*\)$/go \1/p' "$gomod" | head -n 1
    grep '^godebug ' "$gomod" || true
    echo
    echo "require k8s.io/kubernetes $KUBE_VERSION"
    echo
    echo "replace ("
    sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9-]*\) => ./staging/.*$#\t\1 => \1 '"$staging_version"'#p' "$gomod"
    echo ")"
  } >"$mod/go.mod"
  cat >"$mod/tools.go" <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
  (cd "$mod" && go mod tidy -e >&2)

  local minor=${KUBE_VERSION#v1.}; minor=${minor%%.*}
  local ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  for t in "${targets[@]}"; do
    log "go build $t"
    (cd "$mod" && go build -trimpath -ldflags "$ldflags" -o "$bin/$t.tmp" "k8s.io/kubernetes/cmd/$t")
    mv "$bin/$t.tmp" "$bin/$t"
  done
}

build_etcd() {
  [ -x "$bin/etcd" ] && return 0
  log "building etcd $ETCD_VERSION"
  # etcd's server module carries replace lines too, so it gets its own wrapper.
  local mod="$work/etcd-$ETCD_VERSION"
  mkdir -p "$mod"
  cat >"$mod/go.mod" <<MOD
module mini-reloader.local/etcd-wrapper

go 1.25

require go.etcd.io/etcd/server/v3 $ETCD_VERSION
MOD
  cat >"$mod/tools.go" <<'GO'
//go:build tools

package tools

import _ "go.etcd.io/etcd/server/v3"
GO
  (cd "$mod" && go mod tidy -e >&2)
  (cd "$mod" && go build -trimpath -ldflags "-s -w" -o "$bin/etcd.tmp" go.etcd.io/etcd/server/v3)
  mv "$bin/etcd.tmp" "$bin/etcd"
}

build_kwok() {
  if [ ! -x "$bin/kwok" ]; then
    log "building kwok $KWOK_VERSION"
    GOBIN="$work/kwok-$KWOK_VERSION" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
    mv "$work/kwok-$KWOK_VERSION/kwok" "$bin/kwok"
  fi
  [ -s "$bin/kwok-stages.yaml" ] && return 0
  # The kwok binary has no lifecycle of its own: nodes become Ready and pods
  # Running only through Stage configs. Take the set kwokctl uses by default
  # from kwok's own module, at the same version.
  local dir
  dir=$(cd "$work" && go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  local stages="$dir/kustomize/stage"
  for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
    pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    echo "---"
    cat "$stages/$f"
  done >"$bin/kwok-stages.yaml.tmp"
  mv "$bin/kwok-stages.yaml.tmp" "$bin/kwok-stages.yaml"
}

build_etcd
build_kwok
build_kubernetes
echo "$bin"
