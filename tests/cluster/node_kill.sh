#!/usr/bin/env bash
# Fault test 2: a Tessera node is killed under load. Every accepted check mails its user (an
# event handler on validate_check, to an SMTP sink); USERS clients check their values through
# HAProxy. Mid-run one node is killed (kill -9 of the server and its plugin processes). It must
# hold that:
#   - the other nodes go on answering (HAProxy takes the dead node out),
#   - no event is lost: every accepted check that a client saw has its mail, once the outbox
#     claims of the dead node are taken over after their lease,
#   - every delivery arrives as one mail (one Message-ID). SMTP cannot tell the sender whether a
#     mail whose sender died before recording it arrived: such a mail (at most one per outbox
#     worker of the dead node) is sent again with the same Message-ID, and mail clients show it
#     once. The test counts these and fails on any other repeat.
# USERS (default 12), BEFORE and AFTER (seconds of load around the kill, default 5 each).
users=${USERS:-12} before=${BEFORE:-5} after=${AFTER:-5}
# A claim lasts the notification deadline plus 10 s: 12 s here.
export CLUSTER_PLUGINS_EXTRA=", deadlines: { notification_ms: 2000 }"
export CLUSTER_EXTRA="events: { retry_base_seconds: 1 }"
source "$(dirname "$0")/lib.sh"
start_cluster
start_smtp
api /notifier/mail "type=email&host=127.0.0.1&security=none&sender=tessera%40cluster.example&port=$smtp_port"
api /event/ "name=accepted&event=validate_check&handlermodule=mail&action=sendmail&option.to=tokenowner&condition.result_value=true&option.subject=Accepted%20%7Bserial%7D&option.body=Your%20token%20was%20used."
make_users "$users"
start_clients "$users" 0.2
sleep "$before"

node=$cluster/tessera2
killed_at=$(date +%s.%N)
kill -9 -- "-$(cat "$node/pid")"
echo "killed node 2 (pid $(cat "$node/pid")) at $killed_at"
sleep "$after"
stop_clients
failed=0
# 1. The others went on: answers after the kill, and few requests without one (those that
# were on the dead node, and the ones HAProxy sent before its check took the node out).
answered=$(awk -v t="$killed_at" '$1 > t && $5 != "error"' "$work/checks" | wc -l)
lost=$(awk -v t="$killed_at" '$1 > t && $5 == "error"' "$work/checks" | wc -l)
echo "after the kill: $answered answered, $lost without an answer"
[ "$answered" -gt $((users * after)) ] || failed=1
# 2. The outbox drains: every event dispatched, every delivery delivered (the dead node's claims
# run out after their lease and are taken by the others).
eventually 60 outbox_drained || { sql "SELECT state, COUNT(*) FROM outbox GROUP BY state" >&2; failed=1; }
delivered=$(sql "SELECT COUNT(*) FROM outbox WHERE handler = 'accepted' AND state = 'delivered'")
eventually 10 test "$(message_ids | uniq | wc -l)" -ge "$delivered" || true
accepted=$(count accept)
distinct=$(message_ids | uniq | wc -l)
repeated=$(( $(message_ids | wc -l) - distinct ))
echo "accepted checks seen by clients: $accepted; deliveries: $delivered; mails: $distinct" \
  "Message-IDs, and $repeated sent again with the same Message-ID after the kill"
[ "$delivered" -ge "$accepted" ] || failed=1
[ "$distinct" -eq "$delivered" ] || failed=1
[ "$repeated" -le 4 ] || failed=1  # events.outbox_workers of the dead node (default 4)
# Per user: at least as many mails as accepts the client saw.
awk '$5 == "accept" { n[$2]++ } END { for (u in n) print u, n[u] }' "$work/checks" | sort > "$work/seen"
{ grep -h '^To: ' "$work"/mail/new/* || true; } | sed 's/To: \(.*\)@.*/\1/' | sort | uniq -c |
  awk '{ print $2, $1 }' | sort > "$work/mailed"
short=$(join -a 1 -e 0 -o 0,1.2,2.2 "$work/seen" "$work/mailed" | awk '$3 < $2')
echo "users with fewer mails than accepts: $(printf '%s' "$short" | grep -c . || true)"
[ -z "$short" ] || { echo "$short" | head >&2; failed=1; }
[ "$failed" -eq 0 ] && echo "node kill: PASS" || echo "node kill: FAIL"
exit "$failed"
