#!/usr/bin/env bash
# npm run stack:test:ha: the stack (stack.yml + stack.ha.yml, with scripts/stack/override.yml for
# what cannot exist here) on a three-node Swarm, three managers, each node Docker Engine in a
# container (not privileged) on an internal network; checked (scripts/stack/ha/checks.ts) and
# torn down: no node, network or volume is left behind. Ends with "N passed, N failed"; exit 1 on
# a failure, 3 when Docker Engine cannot run on this machine (nothing was checked).
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
remove_nodes() {
  local ids
  ids=$(docker ps -aq --filter "label=$prefix")
  [ -n "$ids" ] && docker rm -f -v $ids >/dev/null 2>&1 || true
  docker volume ls -q --filter "label=$prefix" | xargs -r docker volume rm >/dev/null 2>&1 || true
  docker network rm "$net" >/dev/null 2>&1 || true
}
teardown() {
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
trap 'teardown; exit $?' EXIT

docker network create --internal --subnet "$subnet" --label "$prefix" "$net" >/dev/null
# Each node: the measured recipe (issue 24). Its engine's data on a volume of its own, so a
# killed node started again comes back with its images, volumes and Swarm membership.
for i in 1 2 3; do
  docker volume create --label "$prefix" "$prefix-node$i" >/dev/null
  docker run -d --name "$prefix-node$i" --hostname "node$i" --label "$prefix" \
    --network "$net" --ip "${ips[i-1]}" \
    --cap-add ALL --cap-drop SYS_RESOURCE \
    --security-opt seccomp=unconfined --security-opt apparmor=unconfined --security-opt systempaths=unconfined \
    --cgroupns private -e DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1 \
    -v "$prefix-node$i:/var/lib/docker" "$node_image" >/dev/null
done
on() { local n=$1; shift; docker -H "tcp://${ips[n-1]}:2375" "$@"; }
for i in 1 2 3; do
  for _ in $(seq 60); do on "$i" info >/dev/null 2>&1 && break; sleep 1; done
  on "$i" info >/dev/null 2>&1 || { echo "stack test (three nodes): node$i's engine did not start: $(docker logs --tail 1 "$prefix-node$i" 2>&1 | cut -c1-200)" >&2; exit 1; }
done
say "three engines up after $((SECONDS - started)) s; loading the images into each"
docker save "$APP_IMAGE" "$DB_IMAGE" > "$saved"
for i in 1 2 3; do on "$i" load -q < "$saved" >/dev/null & done
wait
rm -f "$saved"
say "images loaded after $((SECONDS - started)) s"

on 1 swarm init --advertise-addr "${ips[0]}" >/dev/null
token=$(on 1 swarm join-token -q manager)
for i in 2 3; do on "$i" swarm join --token "$token" --advertise-addr "${ips[i-1]}" "${ips[0]}:2377" >/dev/null; done
for i in 1 2 3; do
  on 1 node update --label-add chat.db=true --label-add "chat.member=$i" "node$i" >/dev/null
done
sw() { on 1 "$@"; } # the Swarm, through node1 (the checks choose a manager themselves)
sw network create --driver overlay --attachable traefik-public >/dev/null

owner=$(openssl rand -hex 24) app=$(openssl rand -hex 24)
printf %s "$owner" | sw secret create postgres_password - >/dev/null
printf %s "$app" | sw secret create chat_app_password - >/dev/null
openssl rand -hex 24 | sw secret create chat_readonly_password - >/dev/null
openssl rand -hex 24 | sw secret create chat_replication_password - >/dev/null
openssl rand -hex 24 | sw secret create pgadmin_password - >/dev/null
printf %s "postgres://chat_app:$app@postgres:5432/chat" | sw secret create chat_database_url - >/dev/null
printf %s "postgres://chat_owner:$owner@postgres:5432/chat" | sw secret create chat_migrate_database_url - >/dev/null

say "deploying stack.yml + stack.ha.yml + $here/override.yml as '$stack' on three nodes"
CHAT_HOST=chat.stack-test.invalid PGADMIN_HOST=pgadmin.stack-test.invalid PGADMIN_EMAIL=admin@example.com \
  APP_REPLICAS=$replicas sw stack deploy --resolve-image never \
  -c stack.yml -c stack.ha.yml -c "$here/override.yml" "$stack" >/dev/null

STACK_NODES="node1=${ips[0]},node2=${ips[1]},node3=${ips[2]}" STACK_NODE_PREFIX="$prefix-" \
  npx tsx "$here/ha/checks.ts" "$stack" "$replicas" "$summary"
