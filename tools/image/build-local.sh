#!/usr/bin/env bash
# Builds the project's Dockerfile into a real OCI image on this machine, with
# buildah, from parts available here: no registry but Debian's archive and
# npm's is reachable, so the two base images the Dockerfile names are made
# locally and passed in as its build arguments.
#
#   NODE_IMAGE     Debian bookworm (debootstrap, minbase + CA certificates)
#                  with the project's pinned Node 24 and the machine's npm:
#                  what node:24-bookworm-slim provides.
#   RUNTIME_IMAGE  Node 24 at /nodejs/bin/node with only the libraries it
#                  links, the CA bundle and a nonroot user 65532, no shell:
#                  what gcr.io/distroless/nodejs24-debian12:nonroot provides.
#
# The base images are cached in buildah's storage, keyed by the Node version,
# and the image itself is rebuilt only when what it is built from changed
# (the files the Dockerfile copies, the Dockerfile, the base images): a label
# records their digest.
# Prints the image name on stdout; progress goes to stderr.
#
# Containers here run rootful with runc (crun rejects this machine's hybrid
# cgroups) and with ulimits no higher than the machine's own (raising them
# needs CAP_SYS_RESOURCE, which the sandbox withholds).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
node_bin="$root/node_modules/node/bin/node"
image=${MINI_RELOADER_IMAGE:-localhost/mini-reloader:dev}

log() { printf '[image] %s\n' "$*" >&2; }

need=()
for tool in buildah podman runc debootstrap; do command -v "$tool" >/dev/null || need+=("$tool"); done
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]} from Debian's archive"
  sudo=(); [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q buildah podman runc debootstrap >&2
fi
[ -x "$node_bin" ] || { log "no pinned Node at $node_bin: run npm ci first"; exit 1; }
node_version=$("$node_bin" --version)
limits=(--runtime runc --ulimit "nofile=4096:4096" --ulimit "nproc=4096:4096")

exists() { buildah inspect --type image "$1" >/dev/null 2>&1; }

runtime_base="localhost/mini-reloader-base/runtime:$node_version"
if ! exists "$runtime_base"; then
  log "making $runtime_base"
  ctr=$(buildah from scratch)
  mnt=$(buildah mount "$ctr")
  mkdir -p "$mnt/nodejs/bin" "$mnt/etc/ssl/certs" "$mnt/tmp" "$mnt/home/nonroot"
  cp "$node_bin" "$mnt/nodejs/bin/node"
  for lib in $(ldd "$node_bin" | grep -o '/[^ ]*\.so[^ ]*'); do
    mkdir -p "$mnt$(dirname "$lib")"
    cp -L "$lib" "$mnt$lib"
  done
  cp /etc/ssl/certs/ca-certificates.crt "$mnt/etc/ssl/certs/"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$mnt/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' >"$mnt/etc/group"
  chmod 1777 "$mnt/tmp"
  chown 65532:65532 "$mnt/home/nonroot"
  buildah umount "$ctr" >/dev/null
  buildah config --entrypoint '["/nodejs/bin/node"]' --user 65532:65532 "$ctr"
  buildah commit -q "$ctr" "$runtime_base" >/dev/null
  buildah rm "$ctr" >/dev/null
fi

build_base="localhost/mini-reloader-base/node:$node_version"
if ! exists "$build_base"; then
  log "making $build_base (debootstrap bookworm minbase)"
  rootfs=$(mktemp -d)
  trap 'rm -rf "$rootfs"' EXIT
  debootstrap --variant=minbase --include=ca-certificates bookworm "$rootfs" http://deb.debian.org/debian >&2
  # This machine's trust, so npm ci inside reaches the registry through
  # whatever TLS the network here puts in between.
  cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
  cp "$node_bin" "$rootfs/usr/local/bin/node"
  mkdir -p "$rootfs/usr/local/lib/node_modules"
  cp -r "$(npm root -g)/npm" "$rootfs/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ctr=$(buildah from scratch)
  buildah copy --quiet "$ctr" "$rootfs" / >/dev/null
  buildah config --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt "$ctr"
  buildah commit -q "$ctr" "$build_base" >/dev/null
  buildah rm "$ctr" >/dev/null
fi

# The files the Dockerfile copies: keep this list in step with its COPY lines.
context_label=mini-reloader.pelabs/build-context
context=$(
  cd "$root"
  { sha256sum Dockerfile package.json package-lock.json
    find tools/build src -type f -print0 | sort -z | xargs -0 sha256sum
    for base in "$build_base" "$runtime_base"; do buildah inspect --type image --format '{{.FromImageID}}{{"\n"}}' "$base"; done
  } | sha256sum | cut -d' ' -f1
)
if exists "$image" && [ "$(buildah inspect --type image --format "{{index .OCIv1.Config.Labels \"$context_label\"}}" "$image")" = "$context" ]; then
  log "$image is up to date"
  echo "$image"
  exit 0
fi

log "building $image from the Dockerfile"
buildah bud --pull=false --network host "${limits[@]}" \
  --build-arg NODE_IMAGE="$build_base" --build-arg RUNTIME_IMAGE="$runtime_base" \
  --label "$context_label=$context" -t "$image" "$root" >&2
# The image this replaced, and the build stages, would otherwise pile up run after run.
buildah rmi --prune >/dev/null 2>&1 || true
echo "$image"
