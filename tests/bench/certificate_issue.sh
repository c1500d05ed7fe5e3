#!/usr/bin/env bash
# Certificate issuance under load, on SQLite with the audit log on: certificates per second and
# p50/p99 latency of POST /token/init type=certificate for one user, plus the server's peak
# memory. Workloads: "csr", a certificate for an EC P-256 CSR (made once and sent every time;
# each request still makes a new token and a new certificate with its own serial) from a local
# CA (ca_local) with an EC P-256 key and one with an RSA 3072 key, at 1 and 16 connections;
# "genkey", a key made by the server (genkey=1, EC P-256 and RSA 3072, from the EC CA) returned
# in a PKCS#12 under a password, at 1, 2 and 16 connections (curl loops, not wrk: see
# measure_genkey): its three 600,000-round key derivations (PBKDF2 for the key and for the
# certificates, the PKCS#12 MAC key) dominate, and an RSA key adds its generation.
# Then "openssl", what OpenSSL alone does on the same machine: ECDSA P-256 and RSA 3072 signs
# (openssl speed), one PBKDF2-HMAC-SHA256 at 600,000 rounds, one PKCS#12 export with the
# server's parameters, one RSA 3072 key generation (the last three timed as whole openssl
# commands, start-up included).
# Usage: tests/bench/certificate_issue.sh [seconds per run, default 10]
# WORKLOADS="csr genkey openssl" chooses a subset.
# Needs a built tree (./run.sh or ./test.sh), wrk, jq and openssl.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bench=$root/tests/bench
duration=${1:-10}
workloads=${WORKLOADS:-csr genkey openssl}
for tool in wrk jq openssl; do
  command -v $tool > /dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $tool > /dev/null
done
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2> /dev/null; rm -rf "$work"' EXIT
p12_password=bench-p12-password
# The CSR of every "csr" request; the subject is ignored (the profile makes it).
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/csr.key" \
  -subj /CN=bench -out "$work/csr.pem" 2> /dev/null

source "$root/tests/bench/bench_server.sh"

api() {  # $1: path, $2: form body
  curl -sf -H "Authorization: $token" "$url$1" --data "$2" > /dev/null
}

# A user "bench" in realm "bench"; CA connectors "ec" (EC P-256 key) and "rsa" (RSA 3072 key),
# each with a profile "user" without approval that allows EC P-256 and RSA 3072 keys.
set_up() {
  token=$(admin_token)
  api /resolver/local "type=sql"
  api /realm/bench "resolvers=local"
  api /user/ "user=bench&resolver=local"
  api /caconnector/ec "type=ca_local&common_name=Bench%20EC%20CA&key_type=ec-p256"
  api /caconnector/rsa "type=ca_local&common_name=Bench%20RSA%20CA&key_type=rsa-3072"
  for ca in ec rsa; do
    api /caconnector/$ca/profile/user "validity_days=365&key_types=ec-p256,rsa-3072&approval=0"
    curl -sf "$url/ca/$ca/cert" > "$work/$ca.pem"
  done
}

# One request by hand before the load: the answer must carry a certificate from the CA (and for
# genkey a PKCS#12 that opens with the password), or the figures would mean nothing.
check_first() {  # $1: csr|genkey, $2: CA connector, $3: key type (genkey)
  local args=(-d type=certificate -d user=bench -d realm=bench -d ca=$2 -d profile=user)
  if [ $1 = csr ]; then
    args+=(--data-urlencode "request@$work/csr.pem")
  else
    args+=(-d genkey=1 -d key_type=$3 -d password=$p12_password)
  fi
  curl -s -H "Authorization: $token" "$url/token/init" "${args[@]}" > "$work/first.json"
  jq -r '.detail.certificate // empty' "$work/first.json" > "$work/first.pem"
  if ! grep -q 'BEGIN CERTIFICATE' "$work/first.pem" ||
     ! openssl verify -CAfile "$work/$2.pem" "$work/first.pem" > /dev/null 2>&1 ||
     { [ $1 = genkey ] && ! jq -r '.detail.pkcs12 // empty' "$work/first.json" | base64 -d |
         openssl pkcs12 -passin pass:$p12_password -noout 2> /dev/null; }; then
    echo "no valid certificate for $1 from CA $2 ${3:-}: $(head -c 500 "$work/first.json")" >&2
    exit 1
  fi
}

# Waits until the server has finished the requests wrk left in flight at the end of a run
# (its CPU time stops growing), so that the next run starts on an idle server.
settle() {
  local before after
  after=$(awk '{print $14 + $15}' /proc/$pid/stat)
  for _ in $(seq 600); do
    sleep 0.5
    before=$after
    after=$(awk '{print $14 + $15}' /proc/$pid/stat)
    [ $((after - before)) -le 1 ] && break
  done
}

measure() {  # $1: CA connector, $2: connections
  local out requests rps p50 p99 bad timeouts
  out=$(CA=$1 CSR_FILE="$work/csr.pem" AUTH="$token" \
    wrk -t $(($2 < 2 ? 1 : 2)) -c $2 -d "${duration}s" --timeout 60s --latency \
    -s "$bench/certificate_issue.lua" "$url")
  requests=$(awk '/requests in/ {print $1}' <<< "$out")
  rps=$(awk '/Requests\/sec/ {print $2}' <<< "$out")
  p50=$(awk '$1 == "50%" {print $2}' <<< "$out")
  p99=$(awk '$1 == "99%" {print $2}' <<< "$out")
  bad=$(awk '/^unexpected/ {print $2}' <<< "$out")
  timeouts=$(sed -n 's/.*timeout \([0-9]*\).*/\1/p' <<< "$out")
  [ -n "$timeouts" ] && [ "$timeouts" != 0 ] && bad="$bad (+$timeouts timeouts)"
  echo "| csr | $([ $1 = ec ] && echo ec-p256 || echo rsa-3072) | ec-p256 | $2 | $requests | $rps | $p50 | $p99 | $bad |"
  settle
}

# genkey requests take a second or more, longer than a short run lasts at 16 connections, and
# wrk counts only the answers that come within the run: here one curl loop per connection
# starts requests until the run's time is up and then waits for its last answer; the rate is
# all answers over the time until the last one, and every answer counts in the latencies.
measure_genkey() {  # $1: key type, $2: connections
  local start deadline end seconds loops=() requests rps p50 p99 bad
  start=$(date +%s%N)
  deadline=$((start + duration * 1000000000))
  for i in $(seq $2); do
    while [ "$(date +%s%N)" -lt $deadline ]; do
      seconds=$(curl -s -o "$work/genkey$i.json" -w '%{time_total}' -H "Authorization: $token" \
        "$url/token/init" -d type=certificate -d user=bench -d realm=bench -d ca=ec \
        -d profile=user -d genkey=1 -d key_type=$1 -d password=$p12_password) || true
      if grep -q 'BEGIN CERTIFICATE' "$work/genkey$i.json" && grep -q '"pkcs12"' "$work/genkey$i.json"; then
        echo "ok $seconds"
      else
        echo "bad $seconds"
      fi
    done > "$work/loop$i.times" &
    loops+=($!)
  done
  wait "${loops[@]}"
  end=$(date +%s%N)
  cat "$work"/loop*.times > "$work/times"
  rm -f "$work"/loop*.times "$work"/genkey*.json
  requests=$(wc -l < "$work/times")
  bad=$(grep -c '^bad' "$work/times" || true)
  rps=$(awk -v n=$requests -v ns=$((end - start)) 'BEGIN { printf "%.2f", n * 1e9 / ns }')
  percentile() { sort -n -k2 "$work/times" | awk -v q=$1 -v n=$requests \
    'NR == int(n * q + 0.999999) { printf "%.2fs", $2 }'; }
  p50=$(percentile 0.5)
  p99=$(percentile 0.99)
  echo "| genkey | ec-p256 | $1 | $2 | $requests | $rps | $p50 | $p99 | $bad |"
  settle
}

if [[ " $workloads " == *" csr "* || " $workloads " == *" genkey "* ]]; then
  run_server
  if [ -z "$url" ]; then  # a start can fail while the tree is being rebuilt: once more
    kill $pid 2> /dev/null || true; wait $pid 2> /dev/null || true
    run_server
  fi
  [ -n "$url" ] || { echo "the server did not start: $(cat "$work/err")" >&2; exit 1; }
  set_up
  echo "| workload | CA key | key | connections | requests | certificates/s | p50 | p99 | unexpected answers |"
  echo "|---|---|---|---|---|---|---|---|---|"
  if [[ " $workloads " == *" csr "* ]]; then
    for ca in ec rsa; do
      check_first csr $ca
      for c in 1 16; do
        measure $ca $c
      done
    done
  fi
  if [[ " $workloads " == *" genkey "* ]]; then
    for key in ec-p256 rsa-3072; do
      check_first genkey ec $key
      for c in 1 2 16; do
        measure_genkey $key $c
      done
    done
  fi
  echo "peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$pid/status)" >&2
  kill $pid; wait $pid 2> /dev/null || true; pid=
fi

per_second() {  # $1: runs, then a command: "per second | ms each" over the runs
  local runs=$1 start end
  shift
  start=$(date +%s%N)
  for _ in $(seq $runs); do "$@" > /dev/null 2>&1; done
  end=$(date +%s%N)
  awk -v ns=$((end - start)) -v n=$runs 'BEGIN { printf "%.2f | %.1f", n * 1e9 / ns, ns / n / 1e6 }'
}

if [[ " $workloads " == *" openssl "* ]]; then
  echo
  echo "| OpenSSL alone ($(openssl version | cut -d' ' -f1-2)), one core | per second | ms each |"
  echo "|---|---|---|"
  speed=$(openssl speed -seconds 3 ecdsap256 rsa3072 2> /dev/null)
  sign=$(awk '/ecdsa \(nistp256\)/ {print $(NF - 1)}' <<< "$speed")
  echo "| ECDSA P-256 sign (openssl speed) | $sign | $(awk -v s=$sign 'BEGIN { printf "%.3f", 1000 / s }') |"
  sign=$(awk '/^rsa 3072 bits/ {print $(NF - 1)}' <<< "$speed")
  echo "| RSA 3072 sign (openssl speed) | $sign | $(awk -v s=$sign 'BEGIN { printf "%.3f", 1000 / s }') |"
  echo "| PBKDF2-HMAC-SHA256, 600,000 rounds (openssl kdf) | $(per_second 5 openssl kdf -keylen 32 \
    -kdfopt digest:SHA256 -kdfopt pass:$p12_password -kdfopt hexsalt:0011223344556677 \
    -kdfopt iter:600000 PBKDF2) |"
  openssl req -x509 -new -key "$work/csr.key" -subj /CN=bench -days 1 -out "$work/self.pem" 2> /dev/null
  echo "| PKCS#12 export as the server makes it: 2 PBKDF2 + MAC, 600,000 rounds each (openssl pkcs12) | $(per_second 3 \
    openssl pkcs12 -export -inkey "$work/csr.key" -in "$work/self.pem" -certfile "$work/self.pem" \
    -passout pass:$p12_password -keypbe AES-256-CBC -certpbe AES-256-CBC -macalg sha256 \
    -iter 600000 -out "$work/self.p12") |"
  echo "| RSA 3072 key generation (openssl genpkey, mean of 10) | $(per_second 10 \
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072) |"
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); wrk on the same cores"
