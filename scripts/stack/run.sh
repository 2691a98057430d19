#!/usr/bin/env bash
# npm run stack:test: the production stack (stack.yml) booted for real on a one-node Docker
# Swarm, checked, and torn down. Ends with "N passed, N failed"; exit 1 on a failure, 3 when
# Docker Engine cannot run on this machine (nothing was checked).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
here=scripts/stack
stack=stacktest
replicas=${STACK_TEST_REPLICAS:-3}
export APP_IMAGE=chat-app:stack-test DB_IMAGE=chat-postgres:stack-test
started=$SECONDS
say() { echo "[stack] $*"; }

bash "$here/engine.sh" || exit $?
bash "$here/images.sh" "$APP_IMAGE" "$DB_IMAGE"
say "images ready after $((SECONDS - started)) s"

made_swarm=0 made_network=0 made_label=0
secrets=(postgres_password chat_app_password chat_readonly_password chat_database_url chat_migrate_database_url pgadmin_password)
summary=$(mktemp)
teardown() {
  say "tearing down"
  docker stack rm "$stack" >/dev/null 2>&1 || true
  for _ in $(seq 90); do
    [ -z "$(docker ps -q --filter "label=com.docker.stack.namespace=$stack")" ] && break
    sleep 1
  done
  # Finished job tasks and killed tasks leave stopped containers behind.
  docker ps -aq --filter "label=com.docker.stack.namespace=$stack" | xargs -r docker rm -f >/dev/null 2>&1 || true
  for _ in $(seq 20); do
    docker network inspect "${stack}_backend" >/dev/null 2>&1 || break
    sleep 1
  done
  docker volume rm "${stack}_postgres-data" "${stack}_pgbackrest-repo" "${stack}_postgres-socket" "${stack}_pgadmin-data" >/dev/null 2>&1 || true
  docker secret rm "${secrets[@]}" >/dev/null 2>&1 || true
  docker config rm chat-postgres-init-v1 chat-pgadmin-servers-v1 >/dev/null 2>&1 || true
  if [ "$made_network" = 1 ]; then docker network rm traefik-public >/dev/null 2>&1 || true; fi
  if [ "$made_swarm" = 1 ]; then
    docker swarm leave --force >/dev/null 2>&1 || true
    docker network rm docker_gwbridge >/dev/null 2>&1 || true
  else
    if [ "$made_label" = 1 ]; then docker node update --label-rm chat.db "$(docker info -f '{{.Swarm.NodeID}}')" >/dev/null 2>&1 || true; fi
  fi
  read -r passed failed < "$summary" 2>/dev/null || { passed=0; failed=1; }
  rm -f "$summary"
  say "done in $((SECONDS - started)) s"
  echo "$passed passed, $failed failed"
  [ "$failed" = 0 ] && [ "$passed" != 0 ]
}
trap 'teardown; exit $?' EXIT
if [ "$(docker info -f '{{.Swarm.LocalNodeState}}')" != active ]; then
  docker swarm init --advertise-addr 127.0.0.1 >/dev/null
  made_swarm=1
fi
# On a swarm that was already there, touch nothing of a real deployment: secrets of these names
# must be ones an earlier run of this test made (label stack-test).
for name in "${secrets[@]}"; do
  if docker secret inspect "$name" >/dev/null 2>&1 \
    && [ "$(docker secret inspect -f '{{index .Spec.Labels "stack-test"}}' "$name")" != 1 ]; then
    echo "stack test: this swarm already has a secret $name it did not make (a real deployment?); not touching it" >&2
    trap - EXIT; exit 1
  fi
done
node=$(docker info -f '{{.Swarm.NodeID}}')
if [ -z "$(docker node inspect -f '{{index .Spec.Labels "chat.db"}}' "$node")" ]; then
  docker node update --label-add chat.db=true "$node" >/dev/null
  made_label=1
fi
if ! docker network inspect traefik-public >/dev/null 2>&1; then
  docker network create --driver overlay --attachable traefik-public >/dev/null
  made_network=1
fi

# Fresh passwords for this run; hex, so safe inside URLs (as Documentation/deploy.md makes them).
docker secret rm "${secrets[@]}" >/dev/null 2>&1 || true
owner=$(openssl rand -hex 24) app=$(openssl rand -hex 24)
printf %s "$owner" | docker secret create -l stack-test=1 postgres_password - >/dev/null
printf %s "$app" | docker secret create -l stack-test=1 chat_app_password - >/dev/null
openssl rand -hex 24 | docker secret create -l stack-test=1 chat_readonly_password - >/dev/null
openssl rand -hex 24 | docker secret create -l stack-test=1 pgadmin_password - >/dev/null
printf %s "postgres://chat_app:$app@postgres:5432/chat" | docker secret create -l stack-test=1 chat_database_url - >/dev/null
printf %s "postgres://chat_owner:$owner@postgres:5432/chat" | docker secret create -l stack-test=1 chat_migrate_database_url - >/dev/null

say "deploying stack.yml + $here/override.yml as '$stack' ($replicas app replicas)"
# Newer CLIs wait for the services to converge unless told not to; the checks do the waiting.
detach=$(docker stack deploy --help 2>&1 | grep -q -- '--detach' && echo --detach=true || true)
CHAT_HOST=chat.stack-test.invalid PGADMIN_HOST=pgadmin.stack-test.invalid PGADMIN_EMAIL=admin@example.com \
  APP_REPLICAS=$replicas docker stack deploy $detach --resolve-image never \
  -c stack.yml -c "$here/override.yml" "$stack" >/dev/null

npx tsx "$here/checks.ts" "$stack" "$replicas" "$summary"
