#!/usr/bin/env bash
# Start-up and idle memory of one server process with every bundled plugin loaded (SQLite):
# the time from exec to the first answered GET /healthz, and the resident memory once idle.
# The first start of a data folder also hashes the first admin's password (Argon2id, 64 MiB by
# design) and makes the TLS certificate, so it is measured apart from the starts after it.
# Usage: tests/bench/startup.sh [starts, default 5]. Needs a built tree (./run.sh or ./test.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-5}
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2> /dev/null; rm -rf "$work"' EXIT
cat > "$work/tessera.yaml" << YAML
server:
  listen: [ { address: 127.0.0.1, port: 0, tls: true } ]
data_dir: $work/data
database: { url: "sqlite://$work/data/tessera.db" }
plugins: { directories: [ "$root/build/lib/tessera/plugins" ] }
log: { level: warning }
YAML

# One start: prints "<ms to first answer> <idle RSS kB> <children's RSS kB> <children> <plugins>".
start() {
  local begin url
  begin=$(date +%s%N)
  TESSERA_ADMIN_PASSWORD=bench-password "${BENCH_SERVER:-$root/build/bin/tessera-server}" --config "$work/tessera.yaml" > "$work/out" 2> "$work/err" &
  pid=$!
  until url=$(sed -n 's/^Tessera listening on //p' "$work/out") && [ -n "$url" ] &&
    curl -skf "$url/healthz" > /dev/null 2>&1; do
    kill -0 $pid 2> /dev/null || { cat "$work/err" >&2; exit 1; }
    sleep 0.005
  done
  local ms=$(( ($(date +%s%N) - begin) / 1000000 ))
  sleep 2  # idle: start-up threads done, pools settled
  local rss children=0 child
  rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
  # Plugins that run in a process of their own (plugins.isolation) have memory of their own.
  for child in $(pgrep -P $pid); do
    children=$(( children + $(awk '/VmRSS/ {print $2}' /proc/$child/status) ))
  done
  local plugins
  plugins=$(grep -ho "Plugins: [0-9]* loaded[^.]*" "$work/out" "$work/err" | head -1 | sed "s/^Plugins: //")
  local processes
  processes=$(pgrep -c -P $pid || true)
  kill $pid; wait $pid 2> /dev/null || true; pid=
  echo "$ms $rss $children $processes ${plugins:-(no plugin line)}"
}

echo "| start | to first answer | idle RSS, server | plugin processes, their RSS | plugins |"
echo "|---|---|---|---|---|"
row() {  # $1: label
  local ms rss children processes plugins
  read -r ms rss children processes plugins <<< "$(start)"
  echo "| $1 | $ms ms | $(( rss / 1024 )) MB | $processes, $(( children / 1024 )) MB | $plugins |"
}
row "first (new data folder)"
for i in $(seq "$runs"); do row "again ($i)"; done
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
