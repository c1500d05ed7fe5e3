#!/usr/bin/env bash
# Fault test 1: the PostgreSQL primary is killed under load. Starts the cluster (up.sh), gives
# USERS users an HOTP token each, and sends, through HAProxy to the three nodes, each user's
# values in order, every value twice (the second time a replay). Mid-run the primary's machine
# is killed (kill -9 of its pg_auto_failover keeper and PostgreSQL together); the standby takes
# over. Afterwards it must hold that:
#   - no value was accepted twice (0 replays accepted),
#   - every ACCEPT a client saw is a committed counter (the token's counter is past it),
#   - every accepted check has its audit row, and the audit chain verifies;
# and it prints the seconds without service. Exit 0 when all hold.
# USERS (default 16), BEFORE (seconds of load before the kill, default 6), AFTER (seconds of
# load after service is back, default 6), CLUSTER_PORT (see up.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${TESSERA_BUILD_DIR:-$root/build}
users=${USERS:-16} before=${BEFORE:-6} after=${AFTER:-6}
work=$(mktemp -d /tmp/tessera-failover.XXXXXX)
cluster=$work/cluster
trap '"$root/tests/cluster/down.sh" "$cluster"; rm -rf "$work"' EXIT
"$root/tests/cluster/up.sh" "$cluster" > "$work/up.log" || { cat "$work/up.log" >&2; exit 1; }
source "$cluster/env"
url=$CLUSTER_URL
sql() { psql "$CLUSTER_DATABASE_URL" -qAtc "$1" < /dev/null; }

token=$(curl -sf "$url/auth" -d username=admin -d "password=$CLUSTER_ADMIN_PASSWORD" |
  sed 's/.*"token":"\([^"]*\)".*/\1/')
api() { curl -sf -H "Authorization: $token" "$url$1" --data "$2" > /dev/null; }
seed=3132333435363738393031323334353637383930
api /resolver/local "type=sql"
api /realm/cluster "resolvers=local"
for i in $(seq "$users"); do
  api /user/ "user=user$i&resolver=local"
  api /token/init "type=hotp&user=user$i&realm=cluster&otpkey=$seed&serial=HOTP$i"
  # A client that gets no answer goes on with the next value: the window must cover an outage.
  api /token/set "serial=HOTP$i&count_window=1000"
done
python3 "$root/tests/cluster/otp_clients.py" "$url" "$users" $seed "$work/stop" > "$work/all.log" &
sleep "$before"

# Kill the primary's machine: its keeper and PostgreSQL, one process group.
primary_port=$(sql "SELECT inet_server_port()")
primary=node$((primary_port - ${CLUSTER_PORT:-26000}))
keeper=$(pgrep -f "pg_autoctl create postgres.*--pgdata $CLUSTER_PG/$primary " | head -1)
killed_at=$(date +%s.%N)
kill -9 -- "-$(ps -o pgid= -p "$keeper" | tr -d ' ')"
echo "killed the primary ($primary, port $primary_port) at $killed_at"
# Wait for answers to come back, then some more load.
for _ in $(seq 120); do
  sleep 0.5
  back=$(awk -v t="$killed_at" '$1 > t + 1 && $5 != "error"' "$work/all.log" | wc -l)
  [ "$back" -gt "$users" ] && break
done
sleep "$after"
touch "$work/stop"
wait
echo "new primary on port $(sql "SELECT inet_server_port()")"

sort -n "$work/all.log" > "$work/all"
failed=0
# 1. No value accepted twice.
replays=$(awk '$5 == "accept" { n[$2 " " $3]++ } END { r = 0; for (k in n) if (n[k] > 1) r++; print r }' "$work/all")
accepts=$(awk '$5 == "accept"' "$work/all" | wc -l)
echo "checks: $(wc -l < "$work/all"), accepted: $accepts, rejected: $(awk '$5 == "reject"' "$work/all" | wc -l), no answer: $(awk '$5 == "error"' "$work/all" | wc -l)"
echo "replays accepted: $replays"
[ "$replays" -eq 0 ] || failed=1
# 2. Every ACCEPT seen is a committed counter: the token's counter is past the highest one.
sql "SELECT owner_user, counter FROM token WHERE owner_realm = 'cluster'" | tr '|' ' ' > "$work/counters"
behind=$(awk 'NR == FNR { counter[$1] = $2; next }
  $5 == "accept" && $3 + 1 > counter[$2] { print $2, $3, counter[$2] }' "$work/counters" "$work/all")
echo "accepts not committed: $(printf '%s' "$behind" | grep -c . || true)"
[ -z "$behind" ] || { echo "$behind" | head >&2; failed=1; }
# 3. Every accepted check has its audit row (the writers retry until the database is back), and
# the chain verifies.
awk '$5 == "accept" { n[$2]++ } END { for (u in n) print u, n[u] }' "$work/all" | sort > "$work/seen"
for _ in $(seq 30); do
  sql "SELECT username, COUNT(*) FROM audit WHERE action = 'POST /validate/check' AND success = 1
       GROUP BY username" | tr '|' ' ' | sort > "$work/audited"
  missing=$(join -a 1 -e 0 -o 0,1.2,2.2 "$work/seen" "$work/audited" | awk '$3 < $2')
  [ -z "$missing" ] && break
  sleep 1
done
echo "users with accepts missing from the audit: $(printf '%s' "$missing" | grep -c . || true)"
[ -z "$missing" ] || { echo "$missing" | head >&2; failed=1; }
if "$build/bin/tessera-server" --config "$cluster/tessera1/tessera.yaml" audit verify \
  > "$work/verify" 2>&1 < /dev/null; then
  echo "audit chain: $(tail -1 "$work/verify")"
else
  cat "$work/verify" >&2
  failed=1
fi
# Seconds without service: the longest time between two answers, around the kill.
awk -v t="$killed_at" '$5 != "error" { if (last && $1 > t && $1 - last > gap) gap = $1 - last; last = $1 }
  END { printf "seconds without service: %.1f\n", gap }' "$work/all"
[ "$failed" -eq 0 ] && echo "failover: PASS" || echo "failover: FAIL"
exit "$failed"
