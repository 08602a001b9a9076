#!/usr/bin/env bash
# Builds helm (Helm v3) from the Go module proxy and caches the binary outside
# the repo, keyed by version. A warm cache returns at once.
#
# Prints the helm binary path on stdout; progress goes to stderr.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"

cache_root=${MINI_RELOADER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mini-reloader}
bin="$cache_root/helm/$HELM_VERSION/bin"
helm="$bin/helm"

# Warm cache: no lock, no Go.
if [ -x "$helm" ]; then
  echo "$helm"
  exit 0
fi

mkdir -p "$bin"
log() { printf '[helm-build] %s\n' "$*" >&2; }

# Only one build at a time per cache: parallel test runs must not race.
exec 9>"$cache_root/helm/.build.lock"
flock 9

# Someone else may have built it while this run waited for the lock.
if [ ! -x "$helm" ]; then
  export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false
  PATH="$PATH:/usr/local/go/bin"
  log "building helm $HELM_VERSION from the Go module proxy (a cold build takes a few minutes on 2 cores)"

  # Like helm's own Makefile: the Kubernetes version `helm template` assumes
  # (.Capabilities.KubeVersion, checked against a chart's kubeVersion) is the
  # one of the client-go helm is built with; unset, it would be v1.20.
  work="$cache_root/helm/work"
  mkdir -p "$work"
  gomod=$(cd "$work" && go mod download -json "helm.sh/helm/v3@$HELM_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
  client_go=$(sed -n 's/^[[:space:]]*k8s.io\/client-go v0\.\([0-9]*\)\..*$/\1/p' "$gomod" | head -n 1)
  [ -n "$client_go" ] || { log "cannot find helm's k8s.io/client-go version in $gomod"; exit 1; }

  ldflags="-s -w"
  ldflags+=" -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  ldflags+=" -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$client_go"
  ldflags+=" -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$client_go"

  # go install writes <GOBIN>/helm; build into a scratch dir, then move it in
  # atomically so a half-written binary is never taken for a warm cache.
  tmp=$(mktemp -d "$cache_root/helm/.build.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  GOBIN="$tmp" go install -trimpath -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  mv "$tmp/helm" "$helm"
  log "built $helm"
fi
echo "$helm"
