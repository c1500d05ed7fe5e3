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
users=${USERS:-16} before=${BEFORE:-6} after=${AFTER:-6}
source "$(dirname "$0")/lib.sh"
start_cluster
make_users "$users"
start_clients "$users"
sleep "$before"

# Kill the primary's machine: its keeper and PostgreSQL, one process group.
primary_port=$(sql "SELECT inet_server_port()")
primary=node$((primary_port - ${CLUSTER_PORT:-26000}))
killed_at=$(date +%s.%N)
kill -9 -- "-$(cat "$CLUSTER_PG/$primary.pid")"
echo "killed the primary ($primary, port $primary_port) at $killed_at"
wait_for_answers_after "$killed_at"
sleep "$after"
stop_clients
echo "new primary on port $(sql "SELECT inet_server_port()")"
failed=0
# 1. No value accepted twice.
replays=$(awk '$5 == "accept" { n[$2 " " $3]++ } END { r = 0; for (k in n) if (n[k] > 1) r++; print r }' "$work/checks")
echo "replays accepted: $replays"
[ "$replays" -eq 0 ] || failed=1
# 2. Every ACCEPT seen is a committed counter: the token's counter is past the highest one.
sql "SELECT owner_user, counter FROM token WHERE owner_realm = 'cluster'" | tr '|' ' ' > "$work/counters"
behind=$(awk 'NR == FNR { counter[$1] = $2; next }
  $5 == "accept" && $3 + 1 > counter[$2] { print $2, $3, counter[$2] }' "$work/counters" "$work/checks")
echo "accepts not committed: $(printf '%s' "$behind" | grep -c . || true)"
[ -z "$behind" ] || { echo "$behind" | head >&2; failed=1; }
# 3. Every accepted check has its audit row (the writers retry until the database is back), and
# the chain verifies.
awk '$5 == "accept" { n[$2]++ } END { for (u in n) print u, n[u] }' "$work/checks" | sort > "$work/seen"
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
  END { printf "seconds without service: %.1f\n", gap }' "$work/checks"
[ "$failed" -eq 0 ] && echo "failover: PASS" || echo "failover: FAIL"
exit "$failed"
