# What the fault tests share (sourced by failover.sh, node_kill.sh, outage.sh): a cluster of
# their own (up.sh) that is stopped on exit, the admin's API, users with HOTP tokens, and the
# clients that check them (otp_clients.py). Sets $root, $build, $work, $cluster, $url; the
# cluster's env (CLUSTER_*).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${TESSERA_BUILD_DIR:-$root/build}
export TESSERA_BUILD_DIR=$build
work=$(mktemp -d /tmp/tessera-fault.XXXXXX)
cluster=$work/cluster
peers=()
trap '[ ${#peers[@]} -gt 0 ] && kill "${peers[@]}" 2> /dev/null; "$root/tests/cluster/down.sh" "$cluster"; rm -rf "$work"' EXIT
seed=3132333435363738393031323334353637383930

start_cluster() {
  "$root/tests/cluster/up.sh" "$cluster" > "$work/up.log" || { cat "$work/up.log" >&2; exit 1; }
  source "$cluster/env"
  url=$CLUSTER_URL
  token=$(curl -sf "$url/auth" -d username=admin -d "password=$CLUSTER_ADMIN_PASSWORD" |
    sed 's/.*"token":"\([^"]*\)".*/\1/')
}
sql() { timeout 30 psql "$CLUSTER_DATABASE_URL" -qAtc "$1" < /dev/null; }
api() {  # $1: path, $2: form body; fails the test with the answer when refused
  local answer
  answer=$(curl -s -H "Authorization: $token" "$url$1" --data "$2" -w '\n%{http_code}')
  [ "${answer##*$'\n'}" = 200 ] || { echo "POST $1 $2: $answer" >&2; exit 1; }
}

# $1 users user1..N in realm "cluster", each with the HOTP token HOTP<i> of the RFC 4226 seed and
# an e-mail address user<i>@cluster.example.
make_users() {
  api /resolver/local "type=sql"
  api /realm/cluster "resolvers=local"
  for i in $(seq "$1"); do
    api /user/ "user=user$i&resolver=local&email=user$i%40cluster.example"
    api /token/init "type=hotp&user=user$i&realm=cluster&otpkey=$seed&serial=HOTP$i"
    # A client that gets no answer goes on with the next value: the window covers an outage.
    api /token/set "serial=HOTP$i&count_window=1000"
  done
}

# Starts $1 clients (one per user) writing to $work/checks.log until $work/stop exists;
# $2: seconds between a user's values (default none).
start_clients() {
  /usr/bin/python3 "$root/tests/cluster/otp_clients.py" "$url" "$1" $seed "$work/stop" "${2:-0}" \
    > "$work/checks.log" &
  clients=$!
}
stop_clients() {
  touch "$work/stop"
  wait "$clients"
  sort -n "$work/checks.log" > "$work/checks"
  echo "checks: $(wc -l < "$work/checks"), accepted: $(count accept), rejected:" \
    "$(count reject), no answer: $(count error)"
}
count() { awk -v o="$1" '$5 == o' "$work/checks" | wc -l; }
# Waits until answers come back after time $1 (more than one per user).
wait_for_answers_after() {
  for _ in $(seq 240); do
    sleep 0.5
    [ "$(awk -v t="$1" '$1 > t + 1 && $5 != "error"' "$work/checks.log" | wc -l)" -gt "$users" ] &&
      return 0
  done
  echo "no answers within 120 s" >&2
  return 1
}
# Retries "$@" for up to $1 seconds until it succeeds.
eventually() {
  local seconds=$1
  shift
  for _ in $(seq "$seconds"); do "$@" && return 0; sleep 1; done
  "$@"
}
# Whether every event is dispatched and every delivery delivered.
outbox_drained() {
  [ "$(sql "SELECT (SELECT COUNT(*) FROM event WHERE dispatched = 0) +
                   (SELECT COUNT(*) FROM outbox WHERE state <> 'delivered')")" = 0 ]
}
# The Message-IDs of the mails in the sink's Maildir ($work/mail), sorted.
message_ids() { { grep -h '^Message-ID:' "$work"/mail/new/* 2> /dev/null || true; } | sort; }
# An SMTP server (aiosmtpd) on CLUSTER_PORT + 20 ($smtp_port) that keeps mails in the Maildir
# $work/mail; its process is $smtp. Started again after a stop, it keeps adding to the folder.
start_smtp() {
  smtp_port=$((${CLUSTER_PORT:-26000} + 20))
  mkdir -p "$work/mail/tmp" "$work/mail/new" "$work/mail/cur"
  /usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Mailbox \
    "$work/mail" &
  smtp=$!
  peers+=($smtp)
}
