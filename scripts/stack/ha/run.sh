#!/usr/bin/env bash
# npm run stack:test:ha: the stack (stack.yml + stack.ha.yml, with scripts/stack/override.yml for
# what cannot exist here) on a three-node Swarm, three managers, each node Docker Engine in a
# container (not privileged) on an internal network; checked (scripts/stack/ha/checks.ts) and
# torn down: no node or network is left behind, and only the nodes' engine volumes (their images,
# reused by the next run). Ends with "N passed, N failed"; exit 1 on a failure, 3 when Docker
# Engine cannot run on this machine or inside a container on it (nothing was checked).
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
here=scripts/stack
stack=stacktest
prefix=stacktest-ha
net=$prefix-net
subnet=172.29.213.0/24
ips=(172.29.213.11 172.29.213.12 172.29.213.13)
replicas=3
export APP_IMAGE=chat-app:stack-test DB_IMAGE=chat-postgres:stack-test
started=$SECONDS
say() { echo "[stack-ha] $*"; }

bash "$here/engine.sh" || exit $?
bash "$here/images.sh" "$APP_IMAGE" "$DB_IMAGE"
node_image=$(bash "$here/ha/node-image.sh")
say "images ready after $((SECONDS - started)) s"

summary=$(mktemp)
saved=$(mktemp /var/tmp/stacktest-ha-images.XXXXXX)
# Each node keeps its engine's data (its images above all) on a volume labelled with the node
# image, reused by the next run: loading 800 MB of images into three engines was 120 s of each
# run. Volumes of another node image are removed; what a run left inside is emptied below.
remove_nodes() {
  local ids
  ids=$(docker ps -aq --filter "label=$prefix")
  if [ -n "$ids" ]; then docker rm -f $ids >/dev/null 2>&1 || true; fi
  docker volume ls -q --filter "label=$prefix" | while read -r v; do
    [ "$(docker volume inspect -f '{{index .Labels "node-image"}}' "$v")" = "$node_image" ] || docker volume rm "$v" >/dev/null 2>&1 || true
  done
  docker network rm "$net" >/dev/null 2>&1 || true
}
teardown() { # exit status so far
  if [ "$1" = 3 ]; then remove_nodes; rm -f "$saved" "$summary"; return 3; fi
  if [ "${STACK_TEST_KEEP:-}" = 1 ]; then
    say "STACK_TEST_KEEP=1: nodes kept (docker -H tcp://${ips[0]}:2375 ...); the next run removes them"
  else
    say "tearing down"
    remove_nodes
  fi
  rm -f "$saved"
  read -r passed failed < "$summary" 2>/dev/null || { passed=0; failed=1; }
  rm -f "$summary"
  say "done in $((SECONDS - started)) s"
  echo "$passed passed, $failed failed"
  [ "$failed" = 0 ] && [ "$passed" != 0 ]
}
# What an interrupted run left (its nodes are the only containers with this label).
remove_nodes
trap 'teardown $?; exit $?' EXIT

docker network create --internal --subnet "$subnet" --label "$prefix" "$net" >/dev/null
# Each node: the measured recipe (issue 24). A killed node started again comes back with its
# images, volumes and Swarm membership; a new run's node starts outside any Swarm (RUN_ID,
# node-entrypoint.sh).
run_id=$(openssl rand -hex 8)
for i in 1 2 3; do
  docker volume create --label "$prefix" --label "node-image=$node_image" "$prefix-node$i" >/dev/null
  docker run -d --name "$prefix-node$i" --hostname "node$i" --label "$prefix" \
    --network "$net" --ip "${ips[i-1]}" \
    --cap-add ALL --cap-drop SYS_RESOURCE \
    --security-opt seccomp=unconfined --security-opt apparmor=unconfined --security-opt systempaths=unconfined \
    --cgroupns private -e DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1 -e "RUN_ID=$run_id" \
    -v "$prefix-node$i:/var/lib/docker" "$node_image" >/dev/null
done
on() { local n=$1; shift; docker -H "tcp://${ips[n-1]}:2375" "$@"; }
for i in 1 2 3; do
  for _ in $(seq 60); do on "$i" info >/dev/null 2>&1 && break; sleep 1; done
  # A machine where Docker Engine runs but not inside a container (no writable cgroups, no
  # overlay mounts there): nothing checked, like a machine without an engine.
  on "$i" info >/dev/null 2>&1 || { echo "stack test (three nodes) skipped: Docker Engine does not start inside a container here (node$i: $(docker logs --tail 1 "$prefix-node$i" 2>&1 | cut -c1-200))" >&2; exit 3; }
done
# What the last run left in a reused engine: its containers, volumes and networks.
pids=()
for i in 1 2 3; do
  (
    ids=$(on "$i" ps -aq); if [ -n "$ids" ]; then on "$i" rm -f -v $ids >/dev/null; fi
    vols=$(on "$i" volume ls -q); if [ -n "$vols" ]; then on "$i" volume rm -f $vols >/dev/null; fi
    on "$i" network prune -f >/dev/null
  ) & pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || { echo "stack test (three nodes): could not empty a reused node engine" >&2; exit 1; }; done
# Only the images a node lacks (or holds in another version) go in: usually only a rebuilt app image.
want=()
for image in "$APP_IMAGE" "$DB_IMAGE"; do
  id=$(docker image inspect -f '{{.Id}}' "$image")
  for i in 1 2 3; do
    if [ "$(on "$i" image inspect -f '{{.Id}}' "$image" 2>/dev/null)" != "$id" ]; then want+=("$image"); break; fi
  done
done
say "three engines up after $((SECONDS - started)) s; images to load: ${want[*]:-none}"
if [ "${#want[@]}" -gt 0 ]; then
  docker save "${want[@]}" > "$saved"
  pids=()
  for i in 1 2 3; do (on "$i" load -q < "$saved" >/dev/null && on "$i" image prune -f >/dev/null) & pids+=($!); done
  for p in "${pids[@]}"; do wait "$p" || { echo "stack test (three nodes): docker load into a node failed" >&2; exit 1; }; done
  say "images loaded after $((SECONDS - started)) s"
fi
rm -f "$saved"

on 1 swarm init --advertise-addr "${ips[0]}" >/dev/null
token=$(on 1 swarm join-token -q manager)
for i in 2 3; do on "$i" swarm join --token "$token" --advertise-addr "${ips[i-1]}" "${ips[0]}:2377" >/dev/null; done
for i in 1 2 3; do
  on 1 node update --label-add chat.db=true --label-add "chat.member=$i" "node$i" >/dev/null
done
# The backup repository on node1: the checks that cut off, kill or drain a node pick one
# without the primary, and the last such (node3 or node2), so the repository is lost only
# with the primary's node, if db1 is the primary.
on 1 node update --label-add chat.backup=true node1 >/dev/null
sw() { on 1 "$@"; } # the Swarm, through node1 (the checks choose a manager themselves)
sw network create --driver overlay --attachable traefik-public >/dev/null

owner=$(openssl rand -hex 24) app=$(openssl rand -hex 24)
printf %s "$owner" | sw secret create postgres_password - >/dev/null
printf %s "$app" | sw secret create chat_app_password - >/dev/null
openssl rand -hex 24 | sw secret create chat_readonly_password - >/dev/null
openssl rand -hex 24 | sw secret create chat_replication_password - >/dev/null
openssl rand -hex 24 | sw secret create pgadmin_password - >/dev/null
DOCKER_HOST="tcp://${ips[0]}:2375" bash deploy/backup-tls-secrets.sh >/dev/null
printf %s "postgres://chat_app:$app@postgres:5432/chat" | sw secret create chat_database_url - >/dev/null
printf %s "postgres://chat_owner:$owner@postgres:5432/chat" | sw secret create chat_migrate_database_url - >/dev/null

say "deploying stack.yml + stack.ha.yml + $here/override.yml as '$stack' on three nodes"
CHAT_HOST=chat.stack-test.invalid PGADMIN_HOST=pgadmin.stack-test.invalid PGADMIN_EMAIL=admin@example.com \
  APP_REPLICAS=$replicas sw stack deploy --resolve-image never \
  -c stack.yml -c stack.ha.yml -c "$here/override.yml" "$stack" >/dev/null

STACK_NODES="node1=${ips[0]},node2=${ips[1]},node3=${ips[2]}" STACK_NODE_PREFIX="$prefix-" \
  npx tsx "$here/ha/checks.ts" "$stack" "$replicas" "$summary"
