#!/usr/bin/env bash
# /validate/check with a small database and again with a large one: 100,000 users of the
# built-in store and 1,000,000 tokens (ten per user) written straight into SQLite beside the
# benchmark's own users, so that indexes and queries show whether they depend on the size.
# Workloads as tests/bench/validate_check.sh: wrong (a counted failure) and locked, 64
# connections. Usage: tests/bench/scale_data.sh [seconds per run, default 8] [tokens, default
# 1000000]. Needs a built tree, wrk, oathtool and sqlite3.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bench=$root/tests/bench
duration=${1:-8}
tokens=${2:-1000000}
users=$(( tokens / 10 ))
for tool in wrk oathtool sqlite3; do
  command -v $tool > /dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $tool > /dev/null
done
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2> /dev/null; rm -rf "$work"' EXIT
seed=3132333435363738393031323334353637383930
source "$bench/bench_server.sh"
api() { curl -skf -H "Authorization: $token" "$url$1" --data "$2" > /dev/null; }

measure() {  # $1: size label, $2: wrong|locked
  local user=wrong out
  [ "$2" = locked ] && user=locked
  out=$(MODE=wrong WRONG_USER=$user wrk -t 2 -c 64 -d "${duration}s" --latency \
    -s "$bench/validate_check.lua" "$url")
  echo "| $1 | $2 | $(awk '/Requests\/sec/ {print $2}' <<< "$out") | $(awk '$1 == "50%" {print $2}' <<< "$out") | $(awk '$1 == "99%" {print $2}' <<< "$out") | $(awk '/^unexpected/ {print $2}' <<< "$out") |"
}

run_server
token=$(admin_token)
api /resolver/local "type=sql"
api /realm/bench "resolvers=local"
api /policy/bench "scope=authentication&action=max_fail=2000000000"
for user in wrong locked; do
  api /user/ "user=$user&resolver=local"
  api /token/init "type=hotp&user=$user&realm=bench&otpkey=$seed"
done
# "locked" locks for good: its max_fail is its own 10, not the policy's.
sqlite3 "$work/data/tessera.db" "UPDATE token SET maxfail = 10, failcount = 10 WHERE owner_user = 'locked'"

echo "| database size | workload | checks/s | p50 | p99 | unexpected answers |"
echo "|---|---|---|---|---|---|"
for workload in wrong locked; do measure "2 tokens" $workload; done

begin=$(date +%s)
fill_database "$work/data/tessera.db" $tokens
echo "(wrote $users users and $tokens tokens in $(( $(date +%s) - begin )) s; $(du -h "$work/data/tessera.db" | cut -f1) on disk)" >&2
for workload in wrong locked; do measure "$tokens tokens, $users users" $workload; done
echo "peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$pid/status)" >&2
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); wrk on the same cores" >&2
