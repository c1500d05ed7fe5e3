#!/usr/bin/env bash
# Stops what tests/cluster/up.sh DIR started and removes DIR and the database's folders.
set -uo pipefail
dir=$1
[ -d "$dir" ] || exit 0
alive() {  # whether any of these processes or groups is still there
  for p; do kill -0 -- "$p" 2> /dev/null && return 0; done
  return 1
}
for pidfile in "$dir"/tessera*/pid; do
  [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2> /dev/null
done
[ -f "$dir/haproxy.pid" ] && kill "$(cat "$dir/haproxy.pid")" 2> /dev/null
pg=$(cat "$dir/pg" 2> /dev/null)
if [ -n "$pg" ] && [ -d "$pg" ]; then
  # Each node is a process group (up.sh): asked to stop, then killed if it has not.
  groups=()
  for pidfile in "$pg"/*.pid; do [ -f "$pidfile" ] && groups+=("-$(cat "$pidfile")"); done
  if [ ${#groups[@]} -gt 0 ]; then
    kill -TERM -- "${groups[@]}" 2> /dev/null
    for _ in $(seq 20); do alive "${groups[@]}" || break; sleep 0.5; done
    kill -KILL -- "${groups[@]}" 2> /dev/null
  fi
  rm -rf "$pg"
fi
# The Tessera nodes were asked first; each is a process group with its plugin processes.
for pidfile in "$dir"/tessera*/pid; do
  [ -f "$pidfile" ] || continue
  for _ in $(seq 20); do alive "-$(cat "$pidfile")" || break; sleep 0.5; done
  kill -KILL -- "-$(cat "$pidfile")" 2> /dev/null
done
rm -rf "$dir"
