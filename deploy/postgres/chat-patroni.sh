#!/usr/bin/env bash
# One member of the replicated database (stack.ha.yml): writes Patroni's settings from the
# service's environment and its Docker secrets, then runs Patroni, which runs PostgreSQL as the
# primary or as a streaming standby and moves the primary when its node dies. Needs:
#   PATRONI_NAME   this member's name, also its host name on the backend network (db1, db2, ...)
#   CHAT_ETCD      the etcd members, host:port,host:port,... (etcd1:2379,etcd2:2379,etcd3:2379)
#   secrets postgres_password (chat_owner), chat_replication_password, and for the first start
#   chat_app_password and chat_readonly_password (chat-patroni-bootstrap).
# With the backup TLS secrets (chat-pgbackrest-tls) and PGBACKREST_REPO1_HOST, whichever member
# is the primary archives its WAL to the repository host (archive_command), and each member
# runs pgBackRest's TLS server, through which the repository host takes backups from the primary.
# Documentation/deploy.md, "Three nodes".
set -Eeuo pipefail

if [ "$(id -u)" = 0 ]; then
  mkdir -p /var/lib/postgresql/18 /var/run/postgresql
  chown postgres:postgres /var/lib/postgresql /var/lib/postgresql/18 /var/run/postgresql
  exec chat-pgbackrest-tls "$0" "$@"
fi

: "${PATRONI_NAME:?set PATRONI_NAME (the host name of this member)}"
: "${CHAT_ETCD:?set CHAT_ETCD (etcd host:port list)}"
owner=$(< /run/secrets/postgres_password)
replication=$(< /run/secrets/chat_replication_password)
conf=/tmp/patroni.yml
archive_mode=off
if [ -n "${PGBACKREST_REPO1_HOST:-}" ] && [ -f /tmp/pgbackrest-tls/tls.key ]; then
  archive_mode=on
  # The repository host reaches this member's data directory and server through it; started
  # again if it ever stops.
  (while :; do pgbackrest --log-level-console=warn server || true; sleep 5; done) &
fi
umask 077
cat > "$conf" <<YAML
scope: ${CHAT_CLUSTER:-chat}
name: ${PATRONI_NAME}
restapi:
  listen: 0.0.0.0:8008
  connect_address: ${PATRONI_NAME}:8008
etcd3:
  hosts: ${CHAT_ETCD}
log:
  level: ${PATRONI_LOG_LEVEL:-INFO}
bootstrap:
  dcs:
    # The primary renews its leader key every loop_wait; when it stops (its node died or is
    # cut off), the key expires ttl after the last renewal and a synchronous standby is
    # promoted: 15 to 20 s after the node died (about 23 s were the etcd leader to die with it:
    # a new etcd leader grants every lease its whole ttl again, which chat-etcd avoids), then
    # up to 2 s for the leader race (a dead member's API is given 2 s) and the promotion
    # (18.3 to 20.4 s measured, stack:test:ha). 20 s is the smallest ttl Patroni accepts (it
    # raises anything lower to 20). A primary that cannot renew demotes itself within
    # loop_wait + retry_timeout (10 s), well before its key expires and another member may
    # promote, so two primaries never take writes (loop_wait + 2 * retry_timeout <= ttl,
    # Patroni's own rule).
    ttl: 20
    loop_wait: 5
    retry_timeout: 5
    maximum_lag_on_failover: 1048576
    # Quorum commit: a commit returns once ANY one standby has it on disk, so the primary's
    # loss loses no acknowledged transaction, and one standby's loss blocks nothing. Strict:
    # with no standby at all, commits wait rather than go unreplicated.
    synchronous_mode: ${CHAT_SYNCHRONOUS_MODE:-quorum}
    synchronous_mode_strict: true
    synchronous_node_count: 1
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        synchronous_commit: "on"
        wal_level: replica
        hot_standby: "on"
        wal_log_hints: "on"
        max_wal_senders: 10
        max_replication_slots: 10
        wal_keep_size: 256MB
        # As in stack.yml: every WAL segment to the backup repository, at least once a minute;
        # only the primary archives (a standby marks what it streamed as done).
        archive_mode: "${archive_mode}"
        archive_command: pgbackrest --stanza=chat archive-push %p
        archive_timeout: 60s
        # As in stack.yml: no open transaction anywhere stalls the pollers.
        idle_in_transaction_session_timeout: 30s
        transaction_timeout: 60s
  initdb:
    - encoding: UTF8
    - locale: C.UTF-8
    - data-checksums
  post_bootstrap: /usr/local/bin/chat-patroni-bootstrap
postgresql:
  listen: 0.0.0.0:5432
  connect_address: ${PATRONI_NAME}:5432
  data_dir: /var/lib/postgresql/18/patroni
  bin_dir: /usr/lib/postgresql/18/bin
  pgpass: /tmp/pgpass
  authentication:
    superuser:
      username: chat_owner
      password: '${owner}'
    replication:
      username: replicator
      password: '${replication}'
  parameters:
    unix_socket_directories: /var/run/postgresql
  pg_hba:
    - local all all trust
    - host all all 127.0.0.1/32 trust
    - host replication replicator all scram-sha-256
    - host all all all scram-sha-256
YAML
exec patroni "$conf"
