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
leads() { [ "$(ctl endpoint status 2>/dev/null | cut -d, -f5 | tr -d ' ')" = true ]; }
# Hands etcd's leadership to another started member; "<id>, started, <name>, ...".
hand_over() {
  for id in $(ctl member list 2>/dev/null | awk -F', ' -v me="$ETCD_NAME" '$2 == "started" && $3 != me { print $1 }'); do
    if ctl move-leader "$id" >/dev/null 2>&1; then
      echo "chat-etcd: etcd leadership moved to $id, $1"
      return 0
    fi
  done
  return 1
}
etcd "$@" &
pid=$!
# Stopped (a drain, an update), a leader hands its leadership over before etcd stops. Swarm has
# dropped this task's name from DNS 2 s before the signal, and a follower forwards each lease
# renewal to the leader by name: etcd's own hand-over comes only after it has waited up to 7 s
# for its clients, and meanwhile Patroni's primary, unable to renew its key for retry_timeout
# (5 s), demoted itself (the three-node test's drain of the etcd leader's node, seen once).
stopping=
on_stop() {
  stopping=1
  if leads; then hand_over "as this member stops" || true; fi
  kill -TERM "$pid" 2>/dev/null
}
trap on_stop TERM INT
while kill -0 "$pid" 2>/dev/null; do
  # In the background, so that a signal is handled at once rather than after the sleep.
  sleep 5 & wait $!
  [ -z "$stopping" ] || continue
  leads || continue
  [ "$(ctl get --print-value-only "/service/${CHAT_CLUSTER:-chat}/leader" 2>/dev/null)" = "db${ETCD_NAME#etcd}" ] || continue
  hand_over "away from the Patroni primary's node" || true
done
wait "$pid"
