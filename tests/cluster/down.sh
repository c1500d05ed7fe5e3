#!/usr/bin/env bash
# Stops what tests/cluster/up.sh DIR started and removes DIR and the database's folders.
set -uo pipefail
dir=$1
[ -d "$dir" ] || exit 0
for pidfile in "$dir"/tessera*/pid; do
  [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2> /dev/null
done
[ -f "$dir/haproxy.pid" ] && kill "$(cat "$dir/haproxy.pid")" 2> /dev/null
pg=$(cat "$dir/pg" 2> /dev/null)
if [ -n "$pg" ] && [ -d "$pg" ]; then
  for node in node1 node2 monitor; do
    [ -d "$pg/$node" ] && su postgres -s /bin/sh -c "XDG_CONFIG_HOME=$pg/config \
      XDG_DATA_HOME=$pg/data timeout 20 pg_autoctl stop --immediate --pgdata $pg/$node" \
      < /dev/null > /dev/null 2>&1
  done
  # Whatever did not stop (a keeper whose node was killed, a postgres left alone).
  sleep 1
  pkill -9 -f -- "$pg/" 2> /dev/null
  rm -rf "$pg"
fi
for pidfile in "$dir"/tessera*/pid; do
  [ -f "$pidfile" ] && timeout 10 tail --pid="$(cat "$pidfile")" -f /dev/null
done
rm -rf "$dir"
