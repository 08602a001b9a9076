#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the browser tests
# (test/unit/example-app). playwright-core brings no browser of its own; the
# tests drive the distribution's build rather than download one.
set -euo pipefail

if [[ -x /usr/bin/chromium ]]; then
  exit 0
fi

# sudo resets the environment, hence env for DEBIAN_FRONTEND below.
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then
    sudo=(sudo)
  else
    echo "ensure-chromium: /usr/bin/chromium is missing and installing it needs root (no sudo here): run 'apt-get install -y chromium' as root" >&2
    exit 1
  fi
fi

"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
