#!/bin/sh
# /usr/local/bin/pgbackrest: exports each Docker secret named pgbackrest_<option> as
# PGBACKREST_<OPTION> (e.g. the secret pgbackrest_repo2_s3_key becomes PGBACKREST_REPO2_S3_KEY),
# then runs the real pgbackrest. PostgreSQL's archive_command, restore_command (pgbackrest.conf
# "cmd") and the backup schedule all go through here, so keys never sit in the environment of
# the service definition.
for f in /run/secrets/pgbackrest_*; do
  [ -f "$f" ] || continue
  name=$(basename "$f" | sed 's/^pgbackrest_//' | tr 'a-z-' 'A-Z_')
  export "PGBACKREST_$name=$(cat "$f")"
done
exec /usr/bin/pgbackrest "$@"
