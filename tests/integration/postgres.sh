#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL 15 cluster for the tests (see ../shared/PEERS.md).
# start DIR: writes DIR/url (postgresql://postgres@127.0.0.1:PORT/tessera) and DIR/port.
# stop DIR: stops the cluster and removes DIR.
# PG_OPTIONS: more server options, e.g. '-c shared_preload_libraries=pg_stat_statements'.
# The cluster itself lives in a folder of its own under /tmp that the postgres user can reach
# (DIR may sit below folders only root may enter); DIR/cluster names it.
set -euo pipefail
cmd=$1 dir=$2
PGBIN=/usr/lib/postgresql/15/bin
case "$cmd" in
start)
  rm -rf "$dir"; mkdir -p "$dir"
  cluster=$(mktemp -d /tmp/tessera-pg.XXXXXX)
  chmod 755 "$cluster"; chown postgres "$cluster"
  echo "$cluster" > "$dir/cluster"
  su postgres -s /bin/sh -c "$PGBIN/initdb -D $cluster/data -U postgres -A trust --no-sync > $cluster/initdb.log"
  # A random high port; another one if it is taken.
  for attempt in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 30000))
    su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D $cluster/data -l $cluster/log -w -o '-p $port -k $cluster -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 ${PG_OPTIONS:-}' start > /dev/null" && break
    [ "$attempt" = 5 ] && { cat "$cluster/log" >&2; exit 1; }
  done
  psql -h 127.0.0.1 -p "$port" -U postgres -qc 'CREATE DATABASE tessera' > /dev/null
  echo "$port" > "$dir/port"
  echo "postgresql://postgres@127.0.0.1:$port/tessera" > "$dir/url"
  echo "PostgreSQL ready on 127.0.0.1:$port"
  ;;
stop)
  cluster=$(cat "$dir/cluster" 2> /dev/null || true)
  if [ -n "$cluster" ] && [ -f "$cluster/data/postmaster.pid" ]; then
    su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D $cluster/data -m fast -w stop > /dev/null" || true
  fi
  [ -n "$cluster" ] && rm -rf "$cluster"
  rm -rf "$dir"
  ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
