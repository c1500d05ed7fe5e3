#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL 15 cluster for the tests (see ../shared/PEERS.md).
# start DIR: writes DIR/url (postgresql://postgres@127.0.0.1:PORT/tessera) and DIR/port.
# stop DIR: stops the cluster and removes DIR.
set -euo pipefail
cmd=$1 dir=$2
PGBIN=/usr/lib/postgresql/15/bin
case "$cmd" in
start)
  rm -rf "$dir"; mkdir -p "$dir"; chown postgres "$dir"
  port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  su postgres -s /bin/sh -c "$PGBIN/initdb -D $dir/data -U postgres -A trust --no-sync > $dir/initdb.log"
  su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D $dir/data -l $dir/data/log -w -o '-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200' start > /dev/null"
  psql -h 127.0.0.1 -p "$port" -U postgres -qc 'CREATE DATABASE tessera' > /dev/null
  echo "$port" > "$dir/port"
  echo "postgresql://postgres@127.0.0.1:$port/tessera" > "$dir/url"
  echo "PostgreSQL ready on 127.0.0.1:$port"
  ;;
stop)
  if [ -f "$dir/data/postmaster.pid" ]; then
    su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D $dir/data -m fast -w stop > /dev/null" || true
  fi
  rm -rf "$dir"
  ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
