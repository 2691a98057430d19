#!/bin/sh
# Starts Docker Engine inside a node container (not privileged: all capabilities but
# SYS_RESOURCE, no seccomp/AppArmor, a private cgroup namespace). The cgroup mounts are
# read-only in a container; the engine needs them writable to make its containers' cgroups.
set -eu
mount -o remount,rw /sys/fs/cgroup 2>/dev/null || true
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  # cgroup v2: the engine's containers go beside this process's cgroup, not above it.
  mkdir -p /sys/fs/cgroup/init
  xargs -rn1 < /sys/fs/cgroup/cgroup.procs > /sys/fs/cgroup/init/cgroup.procs 2>/dev/null || true
  sed -e 's/ / +/g' -e 's/^/+/' < /sys/fs/cgroup/cgroup.controllers > /sys/fs/cgroup/cgroup.subtree_control || true
else
  for d in /sys/fs/cgroup/*; do mount -o remount,rw,bind "$d" 2>/dev/null || true; done
fi
mount -t securityfs none /sys/kernel/security 2>/dev/null || true
# A stale pid file from a killed engine keeps it from starting again.
rm -f /var/run/docker.pid /var/run/docker/containerd/containerd.pid
# The engine's data outlives the run that made it (scripts/stack/ha/run.sh reuses its images):
# a new run (another RUN_ID) starts outside the last run's Swarm; the same node started again
# within a run (a killed node) keeps its membership.
if [ -n "${RUN_ID:-}" ] && [ "$(cat /var/lib/docker/.run-id 2>/dev/null || true)" != "$RUN_ID" ]; then
  rm -rf /var/lib/docker/swarm
  echo "$RUN_ID" > /var/lib/docker/.run-id
fi
exec dockerd --host unix:///var/run/docker.sock --host tcp://0.0.0.0:2375 --tls=false "$@"
