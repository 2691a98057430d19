#!/bin/sh
# The three-server setup's pgBackRest TLS files (stack.ha.yml): as root, copies the Docker
# secrets chat_backup_tls_ca, _cert and _key to /tmp/pgbackrest-tls, owned by postgres and
# readable by it alone (pgBackRest refuses a key others can read, and the secrets are root's),
# then runs the rest of its arguments as postgres. Without those secrets it only drops root.
#   chat-pgbackrest-tls <command> [args]
set -eu
dir=/tmp/pgbackrest-tls
if [ "$(id -u)" != 0 ]; then exec "$@"; fi
if [ -f /run/secrets/chat_backup_tls_key ]; then
  mkdir -p "$dir"
  cp /run/secrets/chat_backup_tls_ca "$dir/ca.crt"
  cp /run/secrets/chat_backup_tls_cert "$dir/tls.crt"
  cp /run/secrets/chat_backup_tls_key "$dir/tls.key"
  chown -R postgres:postgres "$dir"
  chmod 0700 "$dir" && chmod 0600 "$dir"/*
fi
exec setpriv --reuid=postgres --regid=postgres --init-groups "$@"
