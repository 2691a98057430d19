#!/usr/bin/env bash
# Docker Engine for the stack test: docker.io and debootstrap from Debian when missing, dockerd
# started in the background when not running. Exit 3 with one line on stderr when the engine
# cannot run on this machine (the caller skips the stack test then).
set -uo pipefail
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }
cannot() { echo "stack test skipped: $*" >&2; exit 3; }

if ! command -v dockerd >/dev/null || ! command -v debootstrap >/dev/null; then
  echo "[engine] installing docker.io and debootstrap from Debian" >&2
  as_root apt-get update -qq >/dev/null 2>&1 || cannot "apt-get update failed, so Docker Engine cannot be installed"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io debootstrap >/dev/null 2>&1 \
    || cannot "apt-get install docker.io debootstrap failed"
fi

if ! docker info >/dev/null 2>&1; then
  log=/var/log/dockerd-stack-test.log
  echo "[engine] starting dockerd (log: $log)" >&2
  as_root sh -c "nohup dockerd >$log 2>&1 &" || cannot "dockerd could not be launched"
  for _ in $(seq 60); do
    docker info >/dev/null 2>&1 && break
    as_root pgrep -x dockerd >/dev/null || break
    sleep 1
  done
  docker info >/dev/null 2>&1 \
    || cannot "dockerd does not start here: $(as_root tail -n 1 "$log" 2>/dev/null | cut -c1-200)"
fi
exit 0
