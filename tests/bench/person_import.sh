#!/usr/bin/env bash
# The CSV import of persons for enrollment forms, on SQLite: ROWS persons (default 10,000) with a
# department and a generated secret ID each, sent as one file; prints the time of the preview
# (every row checked) and of the commit (every row stored in one transaction), and the server's
# peak memory.
# Usage: tests/bench/person_import.sh   (ROWS=50000 for more; raise max_body_bytes past ~15,000)
# Needs a built tree (./run.sh or ./test.sh) and curl.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rows=${ROWS:-10000}
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2> /dev/null; rm -rf "$work"' EXIT

source "$root/tests/bench/bench_server.sh"
run_server
token=$(admin_token)
api() { curl -sf -H "Authorization: $token" "$url$1" --data "$2" > /dev/null; }
api /resolver/local "type=sql"
api /realm/bench "resolvers=local"
api /organization/acme "realm=bench&resolver=local&departments=Sales,Engineering&domains=acme.example"

{
  echo "email,first_name,last_name,department,secret_id"
  for i in $(seq "$rows"); do echo "person$i@acme.example,First$i,Last$i,Sales,generate"; done
} > "$work/persons.csv"
# The file as the JSON body the WebUI sends.
python3 -c 'import json,sys; print(json.dumps({"organization": "acme", "csv": open(sys.argv[1]).read(), "commit": sys.argv[2] == "1"}))' \
  "$work/persons.csv" 0 > "$work/preview.json"
python3 -c 'import json,sys; print(json.dumps({"organization": "acme", "csv": open(sys.argv[1]).read(), "commit": sys.argv[2] == "1"}))' \
  "$work/persons.csv" 1 > "$work/commit.json"

for step in preview commit; do
  out=$(curl -s -o "$work/$step.out" -w '%{http_code} %{time_total}' -H "Authorization: $token" \
    -H 'Content-Type: application/json' --data-binary "@$work/$step.json" "$url/person/import")
  [ "${out%% *}" = 200 ] || { echo "$step failed: $(head -c 300 "$work/$step.out")" >&2; exit 1; }
  echo "$step of $rows persons ($(($(stat -c %s "$work/persons.csv") / 1024)) KiB): ${out#* } s"
done
grep -q "\"imported\":$rows" "$work/commit.out" || { echo "not all imported" >&2; exit 1; }
echo "peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$pid/status)"
