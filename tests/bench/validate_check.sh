#!/usr/bin/env bash
# /validate/check under load: requests per second and p50/p99 latency at 1, 16 and 64
# connections, on SQLite and on PostgreSQL, with the audit log on, plus the server's peak
# memory. Workloads: a wrong OTP for one user whose token never locks (every request counts a
# failure in the database: the worst case), the same for a token locked by its fail counter
# (the default max_fail of 10: what a brute-force attempt meets), and a stream of correct HOTP
# values, one user per connection (every request moves a counter forward).
# Usage: tests/bench/validate_check.sh [seconds per run, default 10]
# DATABASES="sqlite postgresql" and WORKLOADS="wrong locked right" choose a subset.
# Needs a built tree (./run.sh or ./test.sh), wrk, oathtool and PostgreSQL 15 (installed here
# if missing).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bench=$root/tests/bench
duration=${1:-10}
for tool in wrk oathtool; do
  command -v $tool > /dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $tool > /dev/null
done
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2> /dev/null; "$root/tests/integration/postgres.sh" stop "$work/pg" > /dev/null 2>&1 || true; rm -rf "$work"' EXIT
seed=3132333435363738393031323334353637383930
# Enough values in order for the fastest single user of a run.
oathtool --hotp -c 0 -w 400000 $seed > "$work/otps"

source "$root/tests/bench/bench_server.sh"

api() {  # $1: path, $2: form body
  curl -skf -H "Authorization: $token" "$url$1" --data "$2" > /dev/null
}

# 64 users with one HOTP token each (the RFC 4226 seed), "locked" with the default max_fail
# and "wrong", whose token never locks.
set_up() {
  token=$(admin_token)
  api /resolver/local "type=sql"
  api /realm/bench "resolvers=local"
  api /user/ "user=locked&resolver=local"
  api /token/init "type=hotp&user=locked&realm=bench&otpkey=$seed"
  api /policy/bench "scope=authentication&action=max_fail=2000000000"
  for user in wrong $(seq -f 'bench%g' 1 64); do
    api /user/ "user=$user&resolver=local"
    api /token/init "type=hotp&user=$user&realm=bench&otpkey=$seed"
  done
}

measure() {  # $1: database name, $2: wrong|right, $3: connections
  local threads
  [ "$2" = right ] && threads=$3 || threads=$(( $3 < 2 ? 1 : 2 ))
  local mode=$2 user=wrong
  [ "$2" = locked ] && mode=wrong user=locked
  out=$(MODE=$mode WRONG_USER=$user OTP_FILE="$work/otps" wrk -t "$threads" -c "$3" -d "${duration}s" --latency \
    -s "$bench/validate_check.lua" "$url")
  rps=$(awk '/Requests\/sec/ {print $2}' <<< "$out")
  p50=$(awk '$1 == "50%" {print $2}' <<< "$out")
  p99=$(awk '$1 == "99%" {print $2}' <<< "$out")
  bad=$(awk '/^unexpected/ {print $2}' <<< "$out")
  echo "| $1 | $2 | $3 | $rps | $p50 | $p99 | $bad |"
}

echo "| database | workload | connections | checks/s | p50 | p99 | unexpected answers |"
echo "|---|---|---|---|---|---|---|"
"$root/tests/integration/postgres.sh" start "$work/pg" > /dev/null
for db in ${DATABASES:-sqlite postgresql}; do
  [ $db = sqlite ] && run_server "sqlite://$work/data/tessera.db" || run_server "$(cat "$work/pg/url")"
  set_up
  for workload in ${WORKLOADS:-wrong locked right}; do
    for c in 1 16 64; do
      measure $db $workload $c
      # The correct values of the next run start where this one stopped: fresh tokens instead.
      [ $workload = right ] && for user in $(seq -f 'bench%g' 1 64); do
        api /token/unassign "user=$user&realm=bench"
        api /token/init "type=hotp&user=$user&realm=bench&otpkey=$seed"
      done
    done
  done
  echo "peak RSS ($db): $(awk '/VmHWM/ {print $2, $3}' /proc/$pid/status)" >&2
  kill $pid; wait $pid 2> /dev/null || true; pid=
  [ $db = postgresql ] && psql -h 127.0.0.1 -p "$(cat "$work/pg/port")" -U postgres -qc 'DROP DATABASE tessera' -c 'CREATE DATABASE tessera' > /dev/null 2>&1 || true
done
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); wrk on the same cores"
