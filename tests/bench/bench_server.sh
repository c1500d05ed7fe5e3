# What the benchmarks share (sourced; needs $root and $work): run_server starts the built server
# on a fresh data folder and sets $pid and $url (BENCH_PLUGINS_EXTRA: more of the plugins map,
# e.g. ', http_allowed_networks: [ "127.0.0.1" ]'; BENCH_WORKERS, BENCH_IO_THREADS,
# BENCH_HANDLERS_ON_IO_THREADS: server.worker_threads, io_threads, handlers_on_io_threads
# instead of the defaults; BENCH_TLS=true: HTTPS with the self-signed certificate; BENCH_SERVER:
# another build's tessera-server, to compare before and after on the same machine and hour);
# admin_token logs in as the first admin.

run_server() {  # $1: database URL (default: SQLite in the data folder)
  rm -rf "$work/data"
  cat > "$work/tessera.yaml" << YAML
server:
  listen: [ { address: 127.0.0.1, port: 0, tls: ${BENCH_TLS:-false} } ]
${BENCH_WORKERS:+  worker_threads: $BENCH_WORKERS
}${BENCH_IO_THREADS:+  io_threads: $BENCH_IO_THREADS
}${BENCH_HANDLERS_ON_IO_THREADS:+  handlers_on_io_threads: $BENCH_HANDLERS_ON_IO_THREADS
}data_dir: $work/data
database: { url: "${1:-sqlite://$work/data/tessera.db}" }
plugins: { directories: [ "$root/build/lib/tessera/plugins" ]${BENCH_PLUGINS_EXTRA:-} }
log: { level: warning }
first_start: { realm: "", ca: "" }
YAML
  TESSERA_ADMIN_PASSWORD=bench-password "${BENCH_SERVER:-$root/build/bin/tessera-server}" --config "$work/tessera.yaml" > "$work/out" 2> "$work/err" &
  pid=$!
  for _ in $(seq 100); do grep -q 'listening on' "$work/out" 2> /dev/null && break; sleep 0.1; done
  url=$(sed -n 's/^Tessera listening on //p' "$work/out")
}

admin_token() {
  curl -skf "$url/auth" -d username=admin -d password=bench-password |
    sed 's/.*"token":"\([^"]*\)".*/\1/'
}

# Writes users and tokens straight into a SQLite file (ten tokens per user, realm "bench",
# resolver "local"), so that indexes and queries show whether they depend on the size.
fill_database() {  # $1: SQLite file, $2: tokens
  local users=$(( $2 / 10 ))
  sqlite3 -cmd ".timeout 60000" "$1" << SQL
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $users)
INSERT INTO resolver_user (resolver, username, given_name, surname, email, phone, mobile,
  organization, department, password_hash)
SELECT 'local', 'user' || i, 'Given', 'Sur' || i, 'user' || i || '@bench.example', '', '', '', '', ''
FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $2)
INSERT INTO token (serial, token_type, description, sealed_secret, pin_hash, otplen, counter,
  count_window, sync_window, maxfail, failcount, last_fail_at, active, revoked, locked,
  rollout_state, info, owner_user, owner_resolver, owner_realm, created_at)
SELECT printf('BULK%08d', i), 'hotp', '', '', '', 6, 0, 10, 1000, 10, 0, 0, 1, 0, 0, '', '{}',
  'user' || (i % $users + 1), 'local', 'bench', 0
FROM n;
COMMIT;
SQL
}
