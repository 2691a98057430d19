#!/usr/bin/env bash
# Rebuilds PostgreSQL's data directory from the backup repository alone, as the postgres user,
# into an empty volume (PostgreSQL stopped; see Documentation/operations.md):
#   chat-restore '2026-12-03 06:50:00+00'   to that moment: the newest backup before it, then the
#                                           archived WAL up to it; PostgreSQL then opens for
#                                           writes on a new timeline
#   chat-restore latest                     everything the repository holds
#   chat-restore <target> --repo=2          further arguments go to pgbackrest restore
# The next start of the postgres service replays the WAL (restore_command) and opens.
set -euo pipefail
target=${1:?usage: chat-restore <time with zone, e.g. 2026-12-03 06:50:00+00> | latest [pgbackrest options]}
shift
stanza=${PGBACKREST_STANZA:-chat}
pgdata=${PGDATA:-/var/lib/postgresql/18/docker}
if [ -e "$pgdata/PG_VERSION" ]; then
  echo "chat-restore: $pgdata already holds a database; restore only into an empty volume" >&2
  exit 1
fi
mkdir -p "$pgdata" && chmod 0700 "$pgdata"
started=$SECONDS
if [ "$target" = latest ]; then
  pgbackrest --stanza="$stanza" "$@" restore
else
  pgbackrest --stanza="$stanza" --type=time --target="$target" --target-action=promote "$@" restore
fi
echo "chat-restore: data directory rebuilt in $((SECONDS - started)) s; start the postgres service to replay the WAL"
