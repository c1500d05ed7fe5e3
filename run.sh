#!/usr/bin/env bash
# Installs what is missing, builds (Release) and starts Tessera on the default configuration:
# SQLite in ./data, HTTPS on https://127.0.0.1:8443 with a self-signed certificate, the
# bundled plugins, and a first admin "admin" (password from TESSERA_ADMIN_PASSWORD, or
# generated and printed once).
set -euo pipefail
cd "$(dirname "$0")"
export CCACHE_BASEDIR="$PWD"  # cache hits across clones in other folders
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build --target runtime
cat << 'MSG'

Starting Tessera. Open the WebUI at https://127.0.0.1:8443/ (accept the self-signed
certificate) and log in as "admin", realm empty, with the password printed below on first start
(or TESSERA_ADMIN_PASSWORD). Check it from the shell with:
  curl --cacert data/tls/server.crt https://127.0.0.1:8443/healthz
Stop with Ctrl-C.

MSG
exec build/bin/tessera-server --config config/tessera.yaml
