#!/usr/bin/env bash
# Certificate issuance through the ACME connector and a local Pebble, beside the local CA on the
# same machine: certificates per second and p50/p99 latency of POST /token/init type=certificate
# (a user's EC P-256 CSR that names the profile's DNS name, sent every time; each request is a
# new token, a new ACME order with its authorization, finalize and download, checked by the
# host), at 1 and 4 parallel curl loops. Pebble rejects no nonces here (PEBBLE_NONCE_REJECT=0)
# and validates without challenges; the server runs on SQLite with the audit log on.
# Usage: tests/bench/acme_issue.sh [seconds per run, default 10]
# Needs a built tree (./run.sh or ./test.sh), pebble, curl and openssl.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
duration=${1:-10}
command -v pebble > /dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pebble > /dev/null
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2> /dev/null; "$root/tests/integration/pebble.sh" stop "$work/pebble"; rm -rf "$work"' EXIT
PEBBLE_NONCE_REJECT=0 "$root/tests/integration/pebble.sh" start "$work/pebble"
port=$(cat "$work/pebble/port")
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
  -subj /CN=bench -addext subjectAltName=DNS:bench.devices.example -out "$work/csr.pem" 2> /dev/null

source "$root/tests/bench/bench_server.sh"
# The connector reaches Pebble on loopback, which plugins may reach only when allowed.
BENCH_PLUGINS_EXTRA=', http_allowed_networks: [ "127.0.0.1" ]' run_server
token=$(admin_token)
api() { curl -sf -H "Authorization: $token" "$url$1" --data "$2" > /dev/null; }
api /resolver/local "type=sql"
api /realm/bench "resolvers=local"
api /user/ "user=bench&resolver=local"
api /caconnector/acme "type=ca_acme&directory_url=https://127.0.0.1:$port/dir&eab_kid=kid-1&eab_hmac_key=$(cat "$work/pebble/eab_key")&terms_agreed=1&ca_file=$work/pebble/ca.pem&answer_challenges=http-01"
api /caconnector/local "type=ca_local"
for ca in acme local; do
  api /caconnector/$ca/profile/device "validity_days=365&key_types=ec-p256&san_email=0&extended_key_usage=clientAuth,serverAuth&subject.CN=%7Busername%7D.devices.example&san_dns=%7Busername%7D.devices.example"
done

# $1: CA connector, $2: parallel loops. Prints certificates/s, p50 and p99 in ms.
measure() {
  local until=$(($(date +%s) + duration))
  rm -f "$work"/times.*
  for i in $(seq "$2"); do
    (while [ "$(date +%s)" -lt $until ]; do
      curl -s -o "$work/answer.$i" -w '%{http_code} %{time_total}\n' -H "Authorization: $token" \
        "$url/token/init" -d type=certificate -d user=bench -d realm=bench -d ca=$1 \
        -d profile=device --data-urlencode "request@$work/csr.pem" >> "$work/times.$i"
    done) &
  done
  wait $(jobs -p | grep -v "^$pid$") 2> /dev/null || true
  local bad
  bad=$(cat "$work"/times.* | awk '$1 != 200' | wc -l)
  cat "$work"/times.* | awk '$1 == 200 { print $2 * 1000 }' | sort -n |
    awk -v d="$duration" -v ca="$1" -v c="$2" -v bad="$bad" '
      { t[++n] = $1 }
      END { printf "%-6s %2d loops: %6.1f certificates/s, p50 %6.1f ms, p99 %6.1f ms, %d failed\n",
            ca, c, n / d, t[int(n * 0.5) + 1], t[int(n * 0.99) + 1], bad }'
}

grep -q '"rollout_state":"enrolled"' <(curl -s -H "Authorization: $token" "$url/token/init" \
  -d type=certificate -d user=bench -d realm=bench -d ca=acme -d profile=device \
  --data-urlencode "request@$work/csr.pem") || { echo "the first ACME request was not issued" >&2; exit 1; }
for ca in local acme; do
  for c in 1 4; do measure $ca $c; done
done
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); Pebble, curl and the server on the same cores"
