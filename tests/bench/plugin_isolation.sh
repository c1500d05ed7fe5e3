#!/usr/bin/env bash
# The cost of plugins.isolation: one token-type call and one CA call, with every plugin in the
# server (in_process) and with every plugin in a child process (process). Token type: a wrong
# HOTP value for a user whose token never locks (/validate/check: the HOTP plugin's verify, one
# round trip to the child when isolated) at 1 and 16 connections. CA call: a certificate for an
# EC P-256 CSR from a local CA (ca_local's sign_request, plus its store reads through the host)
# at 1 connection. Requests per second and p50/p99 latency, on SQLite.
# Usage: tests/bench/plugin_isolation.sh [seconds per run, default 10]
# Needs a built tree (./run.sh or ./test.sh), wrk and openssl.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bench=$root/tests/bench
duration=${1:-10}
command -v wrk > /dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk > /dev/null
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2> /dev/null; rm -rf "$work"' EXIT
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/csr.key" \
  -subj /CN=bench -out "$work/csr.pem" 2> /dev/null

source "$bench/bench_server.sh"

api() {  # $1: path, $2: form body
  curl -sf -H "Authorization: $token" "$url$1" --data "$2" > /dev/null
}

set_up() {
  token=$(admin_token)
  api /resolver/local "type=sql"
  api /realm/bench "resolvers=local"
  api /policy/bench "scope=authentication&action=max_fail=2000000000"
  api /user/ "user=wrong&resolver=local"
  api /token/init "type=hotp&user=wrong&realm=bench&otpkey=3132333435363738393031323334353637383930"
  api /user/ "user=bench&resolver=local"
  api /caconnector/ec "type=ca_local&common_name=Bench%20EC%20CA&key_type=ec-p256"
  api /caconnector/ec/profile/user "validity_days=365&key_types=ec-p256&approval=0"
}

row() {  # $1: isolation, $2: call, $3: connections, $4: wrk output
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<< "$4")
  p50=$(awk '$1 == "50%" {print $2}' <<< "$4")
  p99=$(awk '$1 == "99%" {print $2}' <<< "$4")
  echo "| $1 | $2 | $3 | $rps | $p50 | $p99 |"
}

echo "| isolation | call | connections | requests/s | p50 | p99 |"
echo "|---|---|---|---|---|---|"
for isolation in in_process process; do
  BENCH_PLUGINS_EXTRA=", isolation: { default: $isolation }" run_server
  set_up
  for connections in 1 16; do
    threads=$(( connections < 2 ? 1 : 2 ))
    out=$(MODE=wrong wrk -t $threads -c $connections -d "${duration}s" --latency \
      -s "$bench/validate_check.lua" "$url")
    row $isolation "token type (HOTP verify)" $connections "$out"
  done
  out=$(CA=ec CSR_FILE="$work/csr.pem" AUTH="$token" wrk -t 1 -c 1 -d "${duration}s" --latency \
    -s "$bench/certificate_issue.lua" "$url")
  row $isolation "CA (ca_local sign_request)" 1 "$out"
  kill $pid
  wait $pid 2> /dev/null || true
  pid=
done
