#!/usr/bin/env bash
# Baseline throughput of the HTTP core: GET /healthz (one SQLite "SELECT 1" per request) with
# wrk over loopback at 1, 16 and 64 connections, plain HTTP and HTTPS, plus the server's peak
# memory. Usage: tests/bench/http_baseline.sh [seconds per run, default 10]
# Needs a built tree (./run.sh or ./test.sh) and wrk (installed here if missing).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
duration=${1:-10}
command -v wrk > /dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk > /dev/null
work=$(mktemp -d)
trap 'kill $pid 2> /dev/null || true; rm -rf "$work"' EXIT

run_server() {  # $1: true|false for TLS
  cat > "$work/tessera.yaml" << YAML
server:
  listen: [ { address: 127.0.0.1, port: 0, tls: $1 } ]
  io_threads: 1
  worker_threads: 2
data_dir: $work/data
database: { url: "sqlite://$work/data/tessera.db" }
log: { level: warning }
first_start: { realm: "", ca: "" }
YAML
  TESSERA_ADMIN_PASSWORD=bench "$root/build/bin/tessera-server" --config "$work/tessera.yaml" > "$work/out" 2> "$work/err" &
  pid=$!
  for _ in $(seq 100); do grep -q 'listening on' "$work/out" 2> /dev/null && break; sleep 0.1; done
  url=$(sed -n 's/^Tessera listening on //p' "$work/out")
}

echo "| transport | connections | requests/s | p50 | p99 |"
echo "|---|---|---|---|---|"
for tls in false true; do
  run_server $tls
  for c in 1 16 64; do
    out=$(wrk -t 1 -c $c -d "${duration}s" --latency "$url/healthz")
    rps=$(awk '/Requests\/sec/ {print $2}' <<< "$out")
    p50=$(awk '$1 == "50%" {print $2}' <<< "$out")
    p99=$(awk '$1 == "99%" {print $2}' <<< "$out")
    echo "| $([ $tls = true ] && echo HTTPS || echo HTTP) | $c | $rps | $p50 | $p99 |"
  done
  echo "peak RSS ($([ $tls = true ] && echo HTTPS || echo HTTP)): $(awk '/VmHWM/ {print $2, $3}' /proc/$pid/status)" >&2
  kill $pid; wait $pid 2> /dev/null || true
done
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
