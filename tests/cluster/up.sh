#!/usr/bin/env bash
# Starts a Tessera cluster on this machine: PostgreSQL with automatic failover (pg_auto_failover:
# a monitor, a primary and a standby with synchronous replication), three Tessera nodes on that
# database, each with its own port and data folder and one shared key file, and HAProxy in front
# of them, checking each node's /healthz.
#   tests/cluster/up.sh DIR     (DIR must not exist; tests/cluster/down.sh DIR stops it all)
# CLUSTER_PORT: the first of 14 ports (default 26000): monitor +0, PostgreSQL +1 and +2,
# HAProxy +10, Tessera nodes +11..+13. TESSERA_ADMIN_PASSWORD: the first admin's (default
# cluster-password). TESSERA_BUILD_DIR: the build to run (default ./build). CLUSTER_EXTRA: more
# of each node's configuration (YAML lines); CLUSTER_PLUGINS_EXTRA: more of its plugins map
# (", deadlines: { notification_ms: 2000 }").
# Writes DIR/env: the URLs, ports and files, for sourcing.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${TESSERA_BUILD_DIR:-$root/build}
dir=$1
base=${CLUSTER_PORT:-26000}
password=${TESSERA_ADMIN_PASSWORD:-cluster-password}
PGBIN=/usr/lib/postgresql/15/bin
for tool in pg_autoctl haproxy; do
  command -v $tool > /dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    postgresql-15-auto-failover pg-auto-failover-cli haproxy > /dev/null
done
[ -e "$dir" ] && { echo "$dir exists: choose a new folder (down.sh removes it)" >&2; exit 2; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
# pg_autoctl runs as postgres and keeps its state in folders of the cluster's own (not in the
# postgres user's home), so down.sh leaves nothing behind.
pg=$(mktemp -d /tmp/tessera-cluster-pg.XXXXXX)
chmod 755 "$pg"
chown postgres "$pg"
echo "$pg" > "$dir/pg"
# A start that fails half-way shows the end of each log, then stops what it started.
give_up() {
  for log in "$pg"/*.log "$dir"/tessera*/err; do
    [ -f "$log" ] && { echo "== $log" && tail -n 5 "$log"; } >&2
  done
  "$root/tests/cluster/down.sh" "$dir"
}
trap give_up ERR
as_postgres() {
  su postgres -s /bin/sh -c "cd $pg && XDG_CONFIG_HOME=$pg/config XDG_DATA_HOME=$pg/data $*" < /dev/null
}
monitor="postgres://autoctl_node@127.0.0.1:$base/pg_auto_failover?sslmode=disable"
psql_at() {  # $1: port, $2: database, $3: SQL
  timeout 10 psql -h 127.0.0.1 -p "$1" -U postgres -d "$2" -qAtc "$3" < /dev/null
}
in_state() {  # $1: node name, $2: state: whether the monitor has it reported
  [ "$(psql_at "$base" pg_auto_failover \
    "SELECT reportedstate FROM pgautofailover.node WHERE nodename = '$1'" 2> /dev/null)" = "$2" ]
}
wait_for() {  # $1: seconds, $2..: command that succeeds when ready
  local seconds=$1 until=$((SECONDS + $1))
  shift
  while [ $SECONDS -lt $until ]; do "$@" && return 0; sleep 0.5; done
  echo "not ready after ${seconds}s: $*" >&2
  return 1
}

# Each pg_auto_failover node in a process group of its own (its keeper, PostgreSQL and their
# children), named by PG/<node>.pid: a machine's loss is a kill of that group.
as_postgres "setsid pg_autoctl create monitor --pgctl $PGBIN/pg_ctl --pgdata $pg/monitor \
  --pgport $base --hostname 127.0.0.1 --auth trust --no-ssl --run > $pg/monitor.log 2>&1 & \
  echo \$! > $pg/monitor.pid"
wait_for 60 psql_at "$base" pg_auto_failover "SELECT 1" > /dev/null 2>&1
# Failover in seconds rather than the default half minute: a node is unhealthy after 3 s of
# failed checks, and a primary that does not answer is taken as demoted after 5 s.
for setting in health_check_period=1000 health_check_timeout=1000 health_check_max_retries=1 \
  health_check_retry_delay=500 node_considered_unhealthy_timeout=3000 primary_demote_timeout=5000; do
  psql_at "$base" pg_auto_failover "ALTER SYSTEM SET pgautofailover.${setting%%=*} = ${setting#*=}"
done
psql_at "$base" pg_auto_failover "SELECT pg_reload_conf()" > /dev/null

start_postgres_node() {  # $1: name, $2: port
  as_postgres "setsid pg_autoctl create postgres --pgctl $PGBIN/pg_ctl --pgdata $pg/$1 \
    --pgport $2 --hostname 127.0.0.1 --name $1 --auth trust --no-ssl --dbname tessera \
    --monitor '$monitor' --run > $pg/$1.log 2>&1 & echo \$! > $pg/$1.pid"
}
start_postgres_node node1 $((base + 1))
wait_for 90 in_state node1 single
start_postgres_node node2 $((base + 2))
# The standby's base backup waits for a checkpoint on the primary (spread over minutes by
# default): ask for one until the standby has caught up.
standby_ready() {
  in_state node2 secondary && return 0
  psql_at $((base + 1)) tessera CHECKPOINT 2> /dev/null || true
  return 1
}
wait_for 120 standby_ready
wait_for 30 in_state node1 primary
database_url="postgresql://postgres@127.0.0.1:$((base + 1)),127.0.0.1:$((base + 2))/tessera?target_session_attrs=read-write"

# Three Tessera nodes. The first makes the schema, the key and the first admin; the others share
# them.
key="$dir/encryption.key"
start_tessera_node() {  # $1: number
  local node=$dir/tessera$1 port=$((base + 10 + $1))
  mkdir -p "$node"
  cat > "$node/tessera.yaml" << YAML
server:
  listen: [ { address: 127.0.0.1, port: $port, tls: false } ]
data_dir: $node/data
encryption_key_file: $key
database: { url: "$database_url" }
plugins: { directories: [ "$build/lib/tessera/plugins" ]${CLUSTER_PLUGINS_EXTRA:-} }
log: { level: info }
first_start: { realm: "", ca: "" }
${CLUSTER_EXTRA:-}
YAML
  TESSERA_ADMIN_PASSWORD=$password setsid "$build/bin/tessera-server" \
    --config "$node/tessera.yaml" > "$node/out" 2> "$node/err" < /dev/null &
  echo $! > "$node/pid"
  wait_for 30 curl -sf "http://127.0.0.1:$port/healthz" -o /dev/null
}
for i in 1 2 3; do start_tessera_node $i; done

cat > "$dir/haproxy.cfg" << CFG
global
  maxconn 4096
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  # A connection refused by a dead node is tried on another one; a request that reached a
  # node is never sent twice (a check's outcome would be unknown).
  retries 1
  option redispatch
frontend tessera
  bind 127.0.0.1:$((base + 10))
  default_backend nodes
backend nodes
  balance roundrobin
  option httpchk GET /healthz
  http-check expect status 200
  default-server inter 1s fall 2 rise 1
  server node1 127.0.0.1:$((base + 11)) check
  server node2 127.0.0.1:$((base + 12)) check
  server node3 127.0.0.1:$((base + 13)) check
CFG
haproxy -f "$dir/haproxy.cfg" -p "$dir/haproxy.pid" -D
wait_for 10 curl -sf "http://127.0.0.1:$((base + 10))/healthz" -o /dev/null

cat > "$dir/env" << ENV
CLUSTER_URL=http://127.0.0.1:$((base + 10))
CLUSTER_DATABASE_URL='$database_url'
CLUSTER_MONITOR_PORT=$base
CLUSTER_PG=$pg
CLUSTER_ADMIN_PASSWORD='$password'
ENV
echo "Tessera cluster up: http://127.0.0.1:$((base + 10)) (HAProxy) in front of nodes on ports" \
  "$((base + 11))-$((base + 13)); PostgreSQL primary on $((base + 1)), standby on $((base + 2))," \
  "monitor on $base. Log in as admin / $password. Stop with tests/cluster/down.sh $dir"
