#!/usr/bin/env bash
# GET /token/ against 1,000,000 tokens of 100,000 users (written straight into SQLite): the
# first page, a late page by number (OFFSET), the same page by serial (after=, keyset), one
# user's tokens and one realm's. Prints the best of five answers for each, in milliseconds.
# Usage: tests/bench/token_list.sh [tokens, default 1000000]. Needs a built tree and sqlite3.
# BENCH_SERVER compares another build (see bench_server.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tokens=${1:-1000000}
command -v sqlite3 > /dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 > /dev/null
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2> /dev/null; rm -rf "$work"' EXIT
source "$root/tests/bench/bench_server.sh"
api() { curl -skf -H "Authorization: $token" "$url$1" --data "$2" > /dev/null; }

run_server
token=$(admin_token)
api /resolver/local "type=sql"
api /realm/bench "resolvers=local"
fill_database "$work/data/tessera.db" "$tokens"

best_ms() {  # $1: query string; the best of five
  for _ in 1 2 3 4 5; do
    curl -skf -o /dev/null -w '%{time_total}\n' -H "Authorization: $token" "$url/token/$1"
  done | sort -n | head -1 | awk '{printf "%.1f", $1 * 1000}'
}
late_page=$(( tokens / 15 - 10 ))
late_serial=$(printf 'BULK%08d' $(( (late_page - 1) * 15 )))
echo "| GET /token/ with $tokens tokens | ms (best of 5) |"
echo "|---|---|"
echo "| first page (15) | $(best_ms '?pagesize=15') |"
echo "| page $late_page by number (OFFSET) | $(best_ms "?pagesize=15&page=$late_page") |"
echo "| the same page by serial (after=$late_serial) | $(best_ms "?pagesize=15&after=$late_serial") |"
echo "| one user's tokens (user=user4242&realm=bench) | $(best_ms '?user=user4242&realm=bench') |"
echo "| one realm's first page (realm=bench) | $(best_ms '?realm=bench&pagesize=15') |"
echo "| serial search (serial=BULK0099999*) | $(best_ms '?serial=BULK0099999*') |"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" >&2
