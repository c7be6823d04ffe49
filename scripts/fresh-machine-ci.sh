#!/usr/bin/env bash
# Runs CI (.ci/run) from a clean clone of this repo's HEAD inside a fresh Debian chroot, so that a
# package installed by hand on this machine cannot hide a missing install step. Needs root.
#
#   scripts/fresh-machine-ci.sh [CHROOT_DIR]      (default /var/tmp/hcc-fresh; reused if present)
#
# The chroot gets what a new machine of this project's kind has before CI: Debian's minimal base,
# python3, make, g++, git, and this machine's Node.js, npm, Node headers, npm config and extra CA
# certificates. Everything else must come from .ci/run. Services are not started by package
# installs (policy-rc.d), as on a machine without a running init.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 2; }
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
root=${1:-/var/tmp/hcc-fresh}
suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
[ -n "$mirror" ] || mirror=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list)

if [ ! -x "$root/usr/bin/apt-get" ]; then
  command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null
  debootstrap --variant=minbase "$suite" "$root" "$mirror"
fi
cp /etc/apt/sources.list.d/*.sources "$root/etc/apt/sources.list.d/" 2>/dev/null && rm -f "$root/etc/apt/sources.list" || true
cp /etc/resolv.conf "$root/etc/"
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d" && chmod +x "$root/usr/sbin/policy-rc.d"
cp -a /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/" 2>/dev/null || true
node=$(command -v node)
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
mkdir -p "$root/usr/lib/node_modules" "$root/usr/include" "$root/usr/etc"
cp "$node" "$root/usr/bin/node"
rm -rf "$root/usr/lib/node_modules/npm" && cp -a "$npm_dir" "$root/usr/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/bin/npx"
[ -d /usr/include/node ] && cp -a /usr/include/node "$root/usr/include/"
[ -f ~/.npmrc ] && cp ~/.npmrc "$root/root/.npmrc"
[ -f /usr/etc/npmrc ] && cp /usr/etc/npmrc "$root/usr/etc/npmrc"

mounts=(proc sys dev dev/pts)
for m in "${mounts[@]}"; do mountpoint -q "$root/$m" || mount --bind "/$m" "$root/$m"; done
mountpoint -q "$root/dev/shm" || mount -t tmpfs tmpfs "$root/dev/shm"
cleanup() { for m in dev/shm dev/pts dev sys proc; do umount -l "$root/$m" 2>/dev/null || true; done; }
trap cleanup EXIT

chroot "$root" /bin/bash -c 'export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq ca-certificates git python3 make g++ procps >/dev/null && update-ca-certificates >/dev/null'
rm -rf "$root/root/ci"
git clone -q "$repo" "$root/root/ci"
echo "CI in a fresh $suite chroot at $root, commit $(git -C "$root/root/ci" rev-parse --short HEAD)"
chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin CI=true \
  NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt /bin/bash -c 'cd /root/ci && time bash .ci/run'
