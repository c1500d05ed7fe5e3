#!/usr/bin/env bash
# Starts or stops a throwaway Pebble (Let's Encrypt's ACME test server) for the tests: External
# Account Binding required (key id "kid-1", MAC key in DIR/eab_key), every authorization valid
# without a real challenge (PEBBLE_VA_ALWAYS_VALID), 5% of nonces rejected on purpose so that
# badNonce retries happen (PEBBLE_NONCE_REJECT=0 for none), and finalize asynchronous so that
# orders are polled.
# start DIR: writes DIR/port (ACME), DIR/management_port, DIR/ca.pem (Pebble's own TLS CA) and
# DIR/eab_key; stop DIR: stops it and removes DIR.
set -euo pipefail
cmd=$1 dir=$2
case "$cmd" in
start)
  rm -rf "$dir"; mkdir -p "$dir"
  # Pebble ships no TLS certificate: a CA and a server certificate for 127.0.0.1.
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/ca.key" \
    -out "$dir/ca.pem" -days 2 -subj "/CN=Pebble test TLS CA" 2> /dev/null
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/key.pem" \
    -out "$dir/server.csr" -subj /CN=127.0.0.1 2> /dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > "$dir/ext.cnf"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 2 -extfile "$dir/ext.cnf" -out "$dir/cert.pem" 2> /dev/null
  openssl rand 32 | basenc --base64url | tr -d '=\n' > "$dir/eab_key"
  for attempt in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 30000))
    cat > "$dir/pebble.json" << JSON
{"pebble": {"listenAddress": "127.0.0.1:$port", "managementListenAddress": "127.0.0.1:$((port + 1))",
  "certificate": "$dir/cert.pem", "privateKey": "$dir/key.pem",
  "httpPort": $((port + 2)), "tlsPort": $((port + 3)), "ocspResponderURL": "",
  "certificateValidityPeriod": 31536000,
  "externalAccountBindingRequired": true,
  "externalAccountMACKeys": {"kid-1": "$(cat "$dir/eab_key")"}}}
JSON
    PEBBLE_VA_ALWAYS_VALID=1 PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=${PEBBLE_NONCE_REJECT:-5} \
      setsid pebble -config "$dir/pebble.json" > "$dir/pebble.log" 2>&1 &
    echo $! > "$dir/pebble.pid"
    for _ in $(seq 50); do
      curl -sf --cacert "$dir/ca.pem" "https://127.0.0.1:$port/dir" > /dev/null 2>&1 && break
      kill -0 "$(cat "$dir/pebble.pid")" 2> /dev/null || break
      sleep 0.1
    done
    if curl -sf --cacert "$dir/ca.pem" "https://127.0.0.1:$port/dir" > /dev/null 2>&1; then
      echo "$port" > "$dir/port"; echo $((port + 1)) > "$dir/management_port"; exit 0
    fi
    kill "$(cat "$dir/pebble.pid")" 2> /dev/null || true
  done
  cat "$dir/pebble.log" >&2; exit 1
  ;;
stop)
  [ -f "$dir/pebble.pid" ] && kill "$(cat "$dir/pebble.pid")" 2> /dev/null || true
  rm -rf "$dir"
  ;;
esac
