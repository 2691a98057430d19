#!/usr/bin/env bash
# Runs once, when the postgres container starts on an empty data directory
# (docker-entrypoint-initdb.d), as the superuser chat_owner over the local socket.
# Creates the app's runtime role and the read-only role for pgAdmin; the
# migrations (run as chat_owner) grant chat_app its table and function rights.
set -Eeuo pipefail

app_password="$(< /run/secrets/chat_app_password)"
readonly_password="$(< /run/secrets/chat_readonly_password)"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v db="$POSTGRES_DB" -v app_password="$app_password" -v readonly_password="$readonly_password" <<'SQL'
CREATE ROLE chat_app LOGIN PASSWORD :'app_password';
CREATE ROLE chat_readonly LOGIN PASSWORD :'readonly_password';
ALTER ROLE chat_readonly SET default_transaction_read_only = on;
-- No pg_read_all_data: sql/grants.sql grants chat_readonly every column but the secret ones.

REVOKE CONNECT ON DATABASE :"db" FROM PUBLIC;
REVOKE TEMPORARY ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO chat_app, chat_readonly;
GRANT USAGE ON SCHEMA public TO chat_app, chat_readonly;
SQL
