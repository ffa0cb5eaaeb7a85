#!/usr/bin/env bash
# Builds the local stand-in base images that `make images-check` builds our Dockerfiles against.
# Why: this machine cannot pull node:* or nginx:* from a registry, but it can reach the Debian mirror,
# so we recreate the same shape locally — Debian bookworm (debootstrap, like the official *-bookworm images),
# plus this machine's Node 20 laid out like the official node image (/usr/local, user node 1000), plus
# Debian's nginx laid out like the official nginx image (user nginx 101, envsubst). Built once, then reused.
# Usage: build-bases.sh [--rebuild]   (env: BUILDAH, STANDIN_PREFIX, DEBIAN_MIRROR, WORK)
set -euo pipefail
BUILDAH=${BUILDAH:-buildah --storage-driver vfs}
PREFIX=${STANDIN_PREFIX:-localhost/cosmo-standin}
MIRROR=${DEBIAN_MIRROR:-$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
WORK=${WORK:-${TMPDIR:-/tmp}/cosmo-standin}
export BUILDAH_ISOLATION=${BUILDAH_ISOLATION:-chroot}
rebuild=${1:-}

have() { [ "$rebuild" != --rebuild ] && $BUILDAH inspect --type image "$1" >/dev/null 2>&1; }
step() { printf '[standin] %s\n' "$*" >&2; }

need() { command -v "$1" >/dev/null || { echo "error: $1 not found ($2)" >&2; exit 1; }; }
need buildah "apt-get install buildah"

if ! have "$PREFIX/debian:bookworm-slim"; then
  need debootstrap "apt-get install debootstrap"
  [ "$(id -u)" = 0 ] || { echo "error: debootstrap needs root" >&2; exit 1; }
  step "debootstrap bookworm (minbase) from $MIRROR"
  rm -rf "$WORK" && mkdir -p "$WORK/debian"
  debootstrap --variant=minbase --include=ca-certificates bookworm "$WORK/rootfs" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
    || { tail -20 "$WORK/debootstrap.log" >&2; echo "error: debootstrap failed (log: $WORK/debootstrap.log)" >&2; exit 1; }
  # Like debian:bookworm-slim: no apt lists, no docs, no caches.
  rm -rf "$WORK"/rootfs/var/lib/apt/lists/* "$WORK"/rootfs/var/cache/apt/*.bin "$WORK"/rootfs/usr/share/doc/* "$WORK"/rootfs/usr/share/man/*
  tar -C "$WORK/rootfs" -cf "$WORK/debian/rootfs.tar" .
  printf 'FROM scratch\nADD rootfs.tar /\nCMD ["bash"]\n' >"$WORK/debian/Containerfile"
  $BUILDAH bud --quiet -t "$PREFIX/debian:bookworm-slim" "$WORK/debian" >/dev/null
  rm -rf "$WORK/rootfs" "$WORK/debian"
fi

if ! have "$PREFIX/node:20-bookworm-slim"; then
  node_bin=$(command -v node); npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  step "node image from $node_bin ($(node --version)) and $npm_dir"
  mkdir -p "$WORK/node"; rm -rf "$WORK/node/npm"
  cp "$node_bin" "$WORK/node/node"; cp -a "$npm_dir" "$WORK/node/npm"
  # This machine reaches the npm registry through a TLS-inspecting egress proxy: the stand-in trusts the same
  # extra CAs as the host (/usr/local/share/ca-certificates), or `npm ci` inside the builds cannot connect.
  # Only the local stand-in gets them; the real node:* base and our Dockerfiles do not.
  mkdir -p "$WORK/node/ca"; cp /usr/local/share/ca-certificates/*.crt "$WORK/node/ca/" 2>/dev/null || true
  cat >"$WORK/node/Containerfile" <<CF
FROM $PREFIX/debian:bookworm-slim
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY ca/ /usr/local/share/ca-certificates/
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && update-ca-certificates >/dev/null && mkdir -p /usr/local/etc && echo cafile=/etc/ssl/certs/ca-certificates.crt >/usr/local/etc/npmrc \\
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \\
 && node --version && npm --version
CMD ["node"]
CF
  $BUILDAH bud --quiet -t "$PREFIX/node:20-bookworm-slim" "$WORK/node" >/dev/null
  rm -rf "$WORK/node"
fi

if ! have "$PREFIX/nginx:bookworm"; then
  step "nginx image (Debian nginx-light + gettext-base, user nginx 101)"
  mkdir -p "$WORK/nginx"
  cat >"$WORK/nginx/Containerfile" <<CF
FROM $PREFIX/debian:bookworm-slim
RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx-light gettext-base \\
 && rm -rf /var/lib/apt/lists/* \\
 && groupadd --system --gid 101 nginx && useradd --system --uid 101 --gid nginx --no-create-home --home /nonexistent --shell /bin/false nginx \\
 && ln -sf /dev/stdout /var/log/nginx/access.log && ln -sf /dev/stderr /var/log/nginx/error.log
CMD ["nginx", "-g", "daemon off;"]
CF
  $BUILDAH bud --quiet -t "$PREFIX/nginx:bookworm" "$WORK/nginx" >/dev/null
  rm -rf "$WORK/nginx"
fi
$BUILDAH images --format '{{.Name}}:{{.Tag}} {{.Size}}' | grep "^$PREFIX/" >&2
