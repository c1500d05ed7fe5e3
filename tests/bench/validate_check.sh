#!/usr/bin/env bash
# /validate/check under load: requests per second and p50/p99 latency at 1, 16 and 64
# connections, on SQLite and on PostgreSQL, with the audit log on, plus the server's peak
# memory. Workloads: a wrong OTP for one user whose token never locks (every request counts a
# failure in the database: the worst case), the same for a token locked by its fail counter
# (the default max_fail of 10: what a brute-force attempt meets), and a stream of correct HOTP
# values, one user per connection (every request moves a counter forward); "spread" is locked
# for 64 users in turn instead of one (does one hot user cost more than many?). Then HTTPS for
# the locked workload. Ends with issue 19's aims: each measured figure beside its aim.
# Usage: tests/bench/validate_check.sh [seconds per run, default 10]
# DATABASES="sqlite postgresql" and WORKLOADS="wrong locked right spread" choose a subset;
# CONNECTIONS="1 16 64" the connection counts (the aims need 64).
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

# 64 users with one HOTP token each (the RFC 4226 seed), "locked" and locked1..64 with the
# default max_fail (enrolled before the policy), and "wrong", whose token never locks.
set_up() {
  token=$(admin_token)
  api /resolver/local "type=sql"
  api /realm/bench "resolvers=local"
  for user in locked $(seq -f 'locked%g' 1 64); do
    api /user/ "user=$user&resolver=local"
    api /token/init "type=hotp&user=$user&realm=bench&otpkey=$seed"
  done
  api /policy/bench "scope=authentication&action=max_fail=2000000000"
  for user in wrong $(seq -f 'bench%g' 1 64); do
    api /user/ "user=$user&resolver=local"
    api /token/init "type=hotp&user=$user&realm=bench&otpkey=$seed"
  done
  # Lock them: ten wrong values each.
  for user in locked $(seq -f 'locked%g' 1 64); do
    for _ in $(seq 10); do
      curl -skf "$url/validate/check" --data "user=$user&realm=bench&pass=000000" > /dev/null
    done
  done
}

declare -A rate p99s

measure() {  # $1: database name (or "sqlite https"), $2: workload, $3: connections
  local threads
  [ "$2" = right ] && threads=$3 || threads=$(( $3 < 2 ? 1 : 2 ))
  local mode=$2 user=wrong users=0
  [ "$2" = locked ] && mode=wrong user=locked
  [ "$2" = spread ] && mode=wrong user=locked users=64
  out=$(MODE=$mode WRONG_USER=$user WRONG_USERS=$users OTP_FILE="$work/otps" wrk -t "$threads" -c "$3" \
    -d "${duration}s" --latency -s "$bench/validate_check.lua" "$url")
  rps=$(awk '/Requests\/sec/ {print $2}' <<< "$out")
  p50=$(awk '$1 == "50%" {print $2}' <<< "$out")
  p99=$(awk '$1 == "99%" {print $2}' <<< "$out")
  bad=$(awk '/^unexpected/ {print $2}' <<< "$out")
  rate["$1 $2 $3"]=$rps
  p99s["$1 $2 $3"]=$p99
  echo "| $1 | $2 | $3 | $rps | $p50 | $p99 | $bad |"
}

# wrk prints 1.23ms, 456.78us or 1.02s: milliseconds.
ms() { awk '{v = $1; if (v ~ /us$/) v = v / 1000; else if (v ~ /ms$/) v = v + 0; else v = v * 1000; print v}' <<< "${1:-0s}"; }

# One row of the aims table: $1 workload text, $2 measured text, $3 aim text, $4 met (0/1).
aim() { echo "| $1 | $2 | $3 | $([ "$4" = 1 ] && echo yes || echo no) |"; }
at_least() { awk -v a="${1:-0}" -v b="$2" 'BEGIN {print (a >= b) ? 1 : 0}'; }

print_aims() {
  local k
  echo
  echo "| aim (issue 19), 64 connections | measured | aim | met |"
  echo "|---|---|---|---|"
  k="sqlite wrong 64"
  [ -n "${rate[$k]:-}" ] && aim "SQLite, wrong OTP, every failure counted" "${rate[$k]}/s, p99 ${p99s[$k]}" \
    "≥ 20000/s, p99 ≤ 5 ms" "$(( $(at_least "${rate[$k]}" 20000) && $(at_least 5 "$(ms "${p99s[$k]}")") ))"
  k="sqlite right 64"
  [ -n "${rate[$k]:-}" ] && aim "SQLite, correct HOTP stream, 64 users" "${rate[$k]}/s" "≥ 20000/s" "$(at_least "${rate[$k]}" 20000)"
  k="sqlite locked 64"
  [ -n "${rate[$k]:-}" ] && aim "SQLite, locked token" "${rate[$k]}/s" "≥ 30000/s" "$(at_least "${rate[$k]}" 30000)"
  k="postgresql wrong 64"
  [ -n "${rate[$k]:-}" ] && aim "PostgreSQL, wrong OTP, one user" "${rate[$k]}/s" "≥ 10000/s" "$(at_least "${rate[$k]}" 10000)"
  k="postgresql right 64"
  [ -n "${rate[$k]:-}" ] && aim "PostgreSQL, correct stream, 64 users" "${rate[$k]}/s" "≥ 20000/s" "$(at_least "${rate[$k]}" 20000)"
  k="postgresql locked 64"
  [ -n "${rate[$k]:-}" ] && [ -n "${rate[postgresql spread 64]:-}" ] && aim "PostgreSQL, one hot user reading (locked)" \
    "${rate[$k]}/s; 64 locked users: ${rate[postgresql spread 64]}/s" "as fast as 64 users (≥ 90 %)" \
    "$(at_least "${rate[$k]}" "$(awk -v b="${rate[postgresql spread 64]}" 'BEGIN {print b * 0.9}')")"
  k="sqlite https locked 64"
  [ -n "${rate[$k]:-}" ] && [ -n "${rate[sqlite locked 64]:-}" ] && aim "HTTPS against HTTP (SQLite, locked)" \
    "${rate[$k]}/s, $(awk -v a="${rate[$k]}" -v b="${rate[sqlite locked 64]}" 'BEGIN {printf "%.0f", 100 * a / b}') % of HTTP" \
    "≥ 80 %" "$(at_least "${rate[$k]}" "$(awk -v b="${rate[sqlite locked 64]}" 'BEGIN {print b * 0.8}')")"
  echo "(1M tokens: tests/bench/scale_data.sh; memory and start-up: tests/bench/startup.sh)"
}

echo "| database | workload | connections | checks/s | p50 | p99 | unexpected answers |"
echo "|---|---|---|---|---|---|---|"
"$root/tests/integration/postgres.sh" start "$work/pg" > /dev/null
for db in ${DATABASES:-sqlite postgresql}; do
  [ $db = sqlite ] && run_server "sqlite://$work/data/tessera.db" || run_server "$(cat "$work/pg/url")"
  set_up
  for workload in ${WORKLOADS:-wrong locked right spread}; do
    for c in ${CONNECTIONS:-1 16 64}; do
      [ $workload = spread ] && [ $c != 64 ] && continue
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
# The same locked workload over HTTPS (the server's self-signed certificate).
if [[ " ${DATABASES:-sqlite} " == *" sqlite "* ]] && [[ " ${WORKLOADS:-locked} " == *" locked "* ]]; then
  BENCH_TLS=true run_server "sqlite://$work/data/tessera.db"
  set_up
  measure "sqlite https" locked 64
  kill $pid; wait $pid 2> /dev/null || true; pid=
fi
print_aims
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); wrk on the same cores"
