#!/usr/bin/env bash
# The certificates of the three-server setup's backups (stack.ha.yml), as Docker secrets: a CA of
# their own and one certificate, CN chat-pgbackrest, for the repository host (backup) and the
# database members (db1..db3), each both a TLS server (pgbackrest server) and a client of the
# others. Run once on a manager; Documentation/deploy.md, section 15.
#   bash deploy/backup-tls-secrets.sh
set -euo pipefail
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=chat-backup-ca \
  -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj /CN=chat-pgbackrest -keyout "$dir/tls.key" -out "$dir/tls.csr" 2>/dev/null
printf 'subjectAltName=DNS:backup,DNS:db1,DNS:db2,DNS:db3\nextendedKeyUsage=serverAuth,clientAuth\n' > "$dir/ext"
openssl x509 -req -days 3650 -in "$dir/tls.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
  -extfile "$dir/ext" -out "$dir/tls.crt" 2>/dev/null
docker secret create chat_backup_tls_ca "$dir/ca.crt" >/dev/null
docker secret create chat_backup_tls_cert "$dir/tls.crt" >/dev/null
docker secret create chat_backup_tls_key "$dir/tls.key" >/dev/null
echo "secrets chat_backup_tls_ca, chat_backup_tls_cert, chat_backup_tls_key created (the CA's key is not kept)"
