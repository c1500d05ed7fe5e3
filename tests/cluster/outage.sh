#!/usr/bin/env bash
# Fault test 3: the receivers of notifications fail for a while under load. Every accepted check
# mails its user (SMTP sink) and posts a webhook (a receiver that checks the signature). During
# the load the SMTP server is stopped and the webhook receiver answers 500, for OUTAGE seconds;
# then both come back. Afterwards every notification must have arrived: every mail delivery as
# a mail (its Message-ID), every webhook delivery as a webhook (its X-Tessera-Delivery), and a
# delivery for every accepted check a client saw. A receiver that answers only after the
# notification deadline gets the delivery again, with the same Message-ID or delivery id, so that
# it keeps one: the test counts those repeats.
# USERS (default 8), OUTAGE (seconds, default 60), BEFORE and AFTER (seconds of load around the
# outage, default 5 each).
users=${USERS:-8} outage=${OUTAGE:-60} before=${BEFORE:-5} after=${AFTER:-5}
export CLUSTER_PLUGINS_EXTRA=", deadlines: { notification_ms: 5000 }, http_allowed_networks: [ 127.0.0.1 ]"
export CLUSTER_EXTRA="events: { retry_base_seconds: 1, max_attempts: 20 }"
source "$(dirname "$0")/lib.sh"
start_cluster
hook_port=$((${CLUSTER_PORT:-26000} + 21))
mkdir -p "$work/hooks"
start_smtp
/usr/bin/python3 "$root/tests/integration/webhook_receiver.py" "$hook_port" s3cret "$work/hooks" \
  "$work/hooks_fail" &
peers+=($!)
api /notifier/mail "type=email&host=127.0.0.1&security=none&sender=tessera%40cluster.example&port=$smtp_port"
api /notifier/hook "type=webhook&secret=s3cret&url=http://127.0.0.1:$hook_port/hook"
api /event/ "name=accepted-mail&event=validate_check&handlermodule=mail&action=sendmail&option.to=tokenowner&condition.result_value=true&option.subject=Accepted%20%7Bserial%7D&option.body=Your%20token%20was%20used."
api /event/ "name=accepted-hook&event=validate_check&handlermodule=hook&action=post_webhook&condition.result_value=true"
make_users "$users"
start_clients "$users" 0.3
sleep "$before"

echo "SMTP server stopped and webhooks answered 500 for $outage s"
kill "$smtp"
touch "$work/hooks_fail"
sleep "$outage"
start_smtp
rm "$work/hooks_fail"
sleep "$after"
stop_clients
failed=0
failures=$(grep -h "delivery .* failed" "$cluster"/tessera*/err | wc -l)
echo "failed attempts logged by the nodes during the outage: $failures"
[ "$failures" -gt 0 ] || failed=1  # the outage was seen
eventually $((outage * 2 + 30)) outbox_drained ||
  { sql "SELECT handler, state, COUNT(*) FROM outbox GROUP BY handler, state" >&2; failed=1; }
delivered() {
  sql "SELECT COUNT(*) FROM outbox WHERE handler = '$1' AND state = 'delivered'"
}
mails=$(delivered accepted-mail) hooks=$(delivered accepted-hook)
accepted=$(count accept)
hook_ids() { cat "$work"/hooks/*.json 2> /dev/null | grep -o '"delivery":"[0-9]*"' | sort; }
eventually 10 test "$(message_ids | wc -l)" -ge "$mails" || true
echo "accepted checks seen by clients: $accepted"
echo "mail deliveries: $mails; mails: $(message_ids | uniq | wc -l) Message-IDs," \
  "$(( $(message_ids | wc -l) - $(message_ids | uniq | wc -l) )) received again"
echo "webhook deliveries: $hooks; webhooks: $(hook_ids | uniq | wc -l) delivery ids," \
  "$(( $(hook_ids | wc -l) - $(hook_ids | uniq | wc -l) )) received again"
[ "$mails" -ge "$accepted" ] && [ "$hooks" -ge "$accepted" ] || failed=1
[ "$(message_ids | uniq | wc -l)" -eq "$mails" ] && [ "$(hook_ids | uniq | wc -l)" -eq "$hooks" ] ||
  failed=1
[ "$failed" -eq 0 ] && echo "outage: PASS" || echo "outage: FAIL"
exit "$failed"
