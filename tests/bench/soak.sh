#!/usr/bin/env bash
# The soak: one node on PostgreSQL under a moderate load that mixes every API family (correct
# and wrong OTPs, tokens enrolled, listed and deleted, certificates issued and revoked, what the
# admin pages read, logins, probes), every answer checked, for SECONDS (default 1800). Every
# 10 s it samples the server's RSS (and its plugin processes'), its file descriptors, the
# database's connections and the latency; at the end it prints the figures, writes
# soak.csv and soak.svg to OUT (default docs/perf), and fails if memory grew by more than 10 %
# after the warm-up (the first sixth of the run) or any answer was wrong.
#   tests/bench/soak.sh [SECONDS] [OUT]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-1800}
out=${2:-$root/docs/perf}
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2> /dev/null; "$root/tests/integration/postgres.sh" stop "$work/pg" > /dev/null 2>&1 || true; rm -rf "$work"' EXIT
"$root/tests/integration/postgres.sh" start "$work/pg" > /dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
  -subj /CN=soak -out "$work/csr.pem" 2> /dev/null
source "$root/tests/bench/bench_server.sh"
run_server "$(cat "$work/pg/url")"
token=$(admin_token)
api() { curl -sf -H "Authorization: $token" "$url$1" --data "$2" > /dev/null; }
api /resolver/local "type=sql"
api /realm/soak "resolvers=local"
api /user/ "user=soak&resolver=local"
api /user/ "user=wrong&resolver=local"
api /token/init "type=hotp&user=soak&realm=soak&otpkey=3132333435363738393031323334353637383930"
api /token/init "type=hotp&user=wrong&realm=soak&genkey=1"
api /policy/soak "scope=authentication&action=max_fail=2000000000"
api /caconnector/soak "type=ca_local&common_name=Soak%20CA&key_type=ec-p256"
api /caconnector/soak/profile/user "validity_days=30&key_types=ec-p256&approval=0"
echo "soak: $seconds s against $url (pid $pid), samples every 10 s"
SOAK_PASSWORD=bench-password /usr/bin/python3 "$root/tests/bench/soak_clients.py" "$url" "$token" \
  "$pid" "$(cat "$work/pg/url")" tessera "$work/csr.pem" "$seconds" "$work/soak.csv"
mkdir -p "$out"
cp "$work/soak.csv" "$out/soak.csv"
/usr/bin/python3 "$root/tests/bench/soak_plot.py" "$out/soak.csv" "$out/soak.svg"
