#!/usr/bin/env bash
# A Debian root file system made offline-friendly: debootstrap --variant=minbase from the
# mirror this machine's apt uses, streamed as a tar into `docker import`.
#   rootfs.sh <suite> <image:tag> [comma,separated,packages]
set -euo pipefail
suite=$1 tag=$2 include=${3:-}

# The first Debian archive (not the security one) named in /etc/apt/sources.list*.
mirror=$(grep -hs -E '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list \
  | grep -oE 'https?://[^ ]+' | grep -v security | grep -E '/debian/?$' | head -1 || true)
mirror=${mirror:-http://deb.debian.org/debian}

dir=$(mktemp -d /var/tmp/rootfs.XXXXXX)
trap 'rm -rf "$dir"' EXIT
# Unstable's Release file is re-signed daily but may outlive its Valid-Until on a stale mirror;
# debootstrap still checks the signature against the host's keyring.
debootstrap --variant=minbase ${include:+--include="$include"} "$suite" "$dir" "$mirror" >"$dir.log" 2>&1 \
  || { tail -20 "$dir.log" >&2; exit 1; }
rm -f "$dir.log"
rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
tar --numeric-owner -C "$dir" -c . | docker import - "$tag" >/dev/null
echo "$tag"
