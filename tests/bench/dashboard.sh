#!/usr/bin/env bash
# The admins' dashboard under a large database, on SQLite: GET /statistics/ (checks per minute
# over the last hour from the audit log, tokens by type and state, certificates expiring within
# 30/60/90 days) with AUDIT_ROWS validate/check rows in the last hour (default 1,000,000: 278
# checks per second for an hour), TOKENS tokens (default 100,000) and as many certificates.
# The rows are written straight into the database with the per-minute check counts the audit
# writer keeps (they carry no valid audit chain: a bench database only). Prints requests per second and p50/p99 latency at 1 and 4 connections, the
# time of one request, and the server's peak memory.
# Usage: tests/bench/dashboard.sh [seconds per run, default 10]
# Needs a built tree (./run.sh or ./test.sh), wrk and sqlite3.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
duration=${1:-10}
audit_rows=${AUDIT_ROWS:-1000000}
tokens=${TOKENS:-100000}
for tool in wrk sqlite3; do
  command -v $tool > /dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $tool > /dev/null
done
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2> /dev/null; rm -rf "$work"' EXIT

source "$root/tests/bench/bench_server.sh"
run_server
token=$(admin_token)

# Checks spread over the last hour (one in four rejected); tokens of three types in several
# states; one certificate per token, expiring over the next 120 days.
now=$(date +%s)
started=$(date +%s.%N)
sqlite3 "$work/data/tessera.db" > /dev/null << SQL
PRAGMA busy_timeout = 10000;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $audit_rows)
INSERT INTO audit (id, time_us, duration_us, action, success, serial, token_type, username,
  realm, administrator, client, policies, info, prev_hash, hash)
SELECT 1000000000 + i, ($now - 1) * 1000000 - i * (3600000000 / $audit_rows), 300,
  'POST /validate/check', CASE WHEN i % 4 = 0 THEN 0 ELSE 1 END, 'T' || (i % $tokens), 'totp',
  'user' || (i % $tokens), 'bench', '', '127.0.0.1', '', '', '', '' FROM n;
-- What the audit writer counts per minute as it appends check rows.
INSERT INTO check_count (minute, accepted, rejected)
SELECT time_us / 60000000 * 60, SUM(success), COUNT(*) - SUM(success) FROM audit
WHERE id > 1000000000 GROUP BY time_us / 60000000
ON CONFLICT (minute) DO UPDATE SET accepted = check_count.accepted + excluded.accepted,
  rejected = check_count.rejected + excluded.rejected;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $tokens)
INSERT INTO token (serial, token_type, description, sealed_secret, pin_hash, otplen, counter,
  count_window, sync_window, maxfail, failcount, last_fail_at, active, revoked, locked,
  rollout_state, info, owner_user, owner_resolver, owner_realm, created_at)
SELECT 'T' || i, CASE i % 3 WHEN 0 THEN 'totp' WHEN 1 THEN 'hotp' ELSE 'certificate' END, '', '',
  '', 6, 0, 10, 100, 10, CASE WHEN i % 50 = 0 THEN 10 ELSE 0 END, 0,
  CASE WHEN i % 20 = 0 THEN 0 ELSE 1 END, CASE WHEN i % 97 = 0 THEN 1 ELSE 0 END, 0,
  CASE WHEN i % 30 = 0 THEN 'pending' ELSE '' END, '{}', 'user' || i, 'local', 'bench', $now FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $tokens)
INSERT INTO certificate (ca, serial, token_serial, subject, not_after, pem, revoked, revoked_at,
  revocation_reason, expiry_announced)
SELECT 'bench', 'C' || i, 'T' || i, 'CN=user' || i, $now + (i % 120) * 86400 + 3600, '',
  CASE WHEN i % 97 = 0 THEN 1 ELSE 0 END, 0, '', 0 FROM n;
COMMIT;
SQL
echo "wrote $audit_rows audit rows, $tokens tokens and certificates in $(echo "$(date +%s.%N) - $started" | bc) s" >&2

echo "one request: $(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: $token" "$url/statistics/") s" >&2
echo "| connections | requests/s | p50 | p99 |"
echo "|---|---|---|---|"
for connections in 1 4; do
  out=$(wrk -t 1 -c $connections -d "${duration}s" --timeout 30s --latency \
    -H "Authorization: $token" "$url/statistics/")
  echo "| $connections | $(awk '/Requests\/sec/ {print $2}' <<< "$out") | $(awk '$1 == "50%" {print $2}' <<< "$out") | $(awk '$1 == "99%" {print $2}' <<< "$out") |"
  non2xx=$(awk '/Non-2xx/ {print $4}' <<< "$out")
  [ -n "$non2xx" ] && echo "unexpected answers: $non2xx" >&2
done
echo "peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$pid/status)" >&2
