#!/bin/sh
# One etcd member of the replicated database (stack.ha.yml), named by ETCD_NAME (etcd1..etcd3,
# beside db1..db3 on the same node). Besides etcd itself, it keeps etcd's leader off the node of
# Patroni's primary: when both die together, the new etcd leader grants every lease, the dead
# primary's leader key included, its whole ttl again, which delays the failover by 5 s or more.
# Moving the etcd leader (etcdctl move-leader) only ever extends leases, never shortens one.
#   chat-etcd [etcd flags]
set -u
: "${ETCD_NAME:?set ETCD_NAME (etcd1, etcd2, ...)}"
ctl() { etcdctl --endpoints=http://127.0.0.1:2379 --command-timeout=3s "$@"; }
etcd "$@" &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null' TERM INT
while kill -0 "$pid" 2>/dev/null; do
  sleep 5
  # "http://127.0.0.1:2379, <id>, <version>, <size>, <is leader>, ..."
  [ "$(ctl endpoint status 2>/dev/null | cut -d, -f5 | tr -d ' ')" = true ] || continue
  [ "$(ctl get --print-value-only "/service/${CHAT_CLUSTER:-chat}/leader" 2>/dev/null)" = "db${ETCD_NAME#etcd}" ] || continue
  # "<id>, started, <name>, <peer urls>, <client urls>, <is learner>": another started member.
  for id in $(ctl member list 2>/dev/null | awk -F', ' -v me="$ETCD_NAME" '$2 == "started" && $3 != me { print $1 }'); do
    if ctl move-leader "$id" >/dev/null 2>&1; then
      echo "chat-etcd: etcd leadership moved to $id, away from the Patroni primary's node"
      break
    fi
  done
done
wait "$pid"
