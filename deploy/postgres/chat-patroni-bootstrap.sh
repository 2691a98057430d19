#!/usr/bin/env bash
# Patroni's post_bootstrap: runs once, on the member that creates the cluster, as the one-node
# image's first start does: the chat database, then the roles (deploy/postgres-init.sh, the
# postgres_init config mounted where the official image looks for it). Standbys copy the result.
set -Eeuo pipefail
export POSTGRES_USER=chat_owner POSTGRES_DB=chat PGHOST=/var/run/postgresql
psql -v ON_ERROR_STOP=1 -q -U chat_owner -d postgres -c 'CREATE DATABASE chat'
for f in /docker-entrypoint-initdb.d/*.sh; do
  [ -e "$f" ] || continue
  echo "running $f"
  bash "$f"
done
