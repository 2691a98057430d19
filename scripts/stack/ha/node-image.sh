#!/usr/bin/env bash
# The node image of the three-node stack test (Debian bookworm's docker.io, node.Dockerfile),
# built offline like the other stand-ins and reused while its recipe is unchanged. Prints its tag.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
here=$root/scripts/stack/ha
sha() { sha256sum | cut -c1-16; }
packages=docker.io,iptables,iproute2,procps,ca-certificates,kmod
base=stand-in/bookworm-docker:$( { cat "$root/deploy/stand-in/rootfs.sh"; echo "bookworm $packages"; } | sha)
if ! docker image inspect "$base" >/dev/null 2>&1; then
  echo "[images] debootstrap --variant=minbase bookworm (with $packages)" >&2
  "$root/deploy/stand-in/rootfs.sh" bookworm "$base" "$packages" >/dev/null
fi
tag=chat-stack-node:$( { cat "$here/node.Dockerfile" "$here/node-entrypoint.sh"; echo "$base"; } | sha)
if ! docker image inspect "$tag" >/dev/null 2>&1; then
  echo "[images] $tag: the Swarm node image" >&2
  ctx=$(mktemp -d); trap 'rm -rf "$ctx"' EXIT
  cp "$here/node.Dockerfile" "$ctx/Dockerfile"; cp "$here/node-entrypoint.sh" "$ctx/"
  docker build -q --build-arg BASE="$base" -t "$tag" "$ctx" >/dev/null
fi
echo "$tag"
