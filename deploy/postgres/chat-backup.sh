#!/usr/bin/env bash
# The backup service's command (stack.yml, service "backup"), as the postgres user:
#   chat-backup schedule     create the stanza when PostgreSQL answers, then every minute take a
#                            full backup when the newest is BACKUP_FULL_EVERY_HOURS old (or none
#                            exists), else a differential when the newest backup of any kind is
#                            BACKUP_DIFF_EVERY_HOURS old. The schedule lives in the repository
#                            (the backups' labels), so a restarted service keeps to it.
#                            Each repository in BACKUP_REPOS (default 1; "1 2" with an S3 repo2)
#                            on its own schedule; WAL goes to every repository anyway.
#   chat-backup repo-host    the three-server setup (stack.ha.yml): this container holds the
#                            repository; pgBackRest's TLS server takes the members' WAL, and the
#                            schedule above backs up from whichever of pg1-host.. is the primary.
#   chat-backup full|diff|incr [repo]   one backup now (default repo 1); expire runs after it
#                            (pgbackrest.conf retention).
set -euo pipefail
stanza=${PGBACKREST_STANZA:-chat}
full_every=${BACKUP_FULL_EVERY_HOURS:-168}
diff_every=${BACKUP_DIFF_EVERY_HOURS:-24}
repos=${BACKUP_REPOS:-1}
log() { echo "[chat-backup] $(date -u +%FT%TZ) $*"; }

backup() { # type repo
  local started=$SECONDS
  log "$1 backup to repo$2 starting"
  if pgbackrest --stanza="$stanza" --repo="$2" --type="$1" backup; then
    log "$1 backup to repo$2 done in $((SECONDS - started)) s"
  else
    log "$1 backup to repo$2 FAILED after $((SECONDS - started)) s"; return 1
  fi
}

# Backup labels are their start times: 20261203-061500F, 20261203-061500F_20261204-061500D.
labels() { # repo
  local out
  out=$(pgbackrest --stanza="$stanza" --repo="$1" info --output=json) || return 1
  { grep -oE '"label":"[^"]+"' <<<"$out" || true; } | cut -d'"' -f4
}
age_of() {
  local l=${1##*_}
  echo $(( $(date -u +%s) - $(date -u -d "${l:0:4}-${l:4:2}-${l:6:2} ${l:9:2}:${l:11:2}:${l:13:2}" +%s) ))
}

schedule() {
  log "full backup every ${full_every} h, differential every ${diff_every} h"
  # One server: PostgreSQL beside it, on the shared socket. Three: the members, over TLS.
  if [ -z "${PGBACKREST_PG1_HOST:-}" ]; then
    until pg_isready -q -h /var/run/postgresql; do sleep 5; done
  fi
  until pgbackrest --stanza="$stanza" stanza-create; do log "stanza-create failed; retrying in 10 s"; sleep 10; done
  for (( ;; )); do
    local repo all full last
    for repo in $repos; do
      all=$(labels "$repo") || { log "pgbackrest info --repo=$repo failed"; continue; }
      full=$(grep -E 'F$' <<<"$all" | tail -n 1 || true)
      last=$(tail -n 1 <<<"$all")
      if [ -z "$full" ] || (( $(age_of "$full") >= full_every * 3600 )); then
        backup full "$repo" || sleep 600
      elif (( $(age_of "$last") >= diff_every * 3600 )); then
        backup diff "$repo" || sleep 600
      fi
    done
    sleep 60
  done
}

repo_host() {
  pgbackrest --log-level-console=warn server & server=$!
  schedule & sched=$!
  # Either one ending ends the task, and Swarm starts it again.
  wait -n "$server" "$sched" || true
  log "pgbackrest server or schedule stopped; exiting"
  exit 1
}

case "${1:-schedule}" in
  schedule) schedule ;;
  repo-host) repo_host ;;
  full|diff|incr) backup "$1" "${2:-1}" ;;
  *) echo "usage: chat-backup [schedule|repo-host|full|diff|incr]" >&2; exit 2 ;;
esac
