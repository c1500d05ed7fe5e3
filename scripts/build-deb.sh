#!/usr/bin/env bash
# Builds the Debian packages with CPack (build/packages: tessera_<version>_amd64.deb with the
# server, plugins, WebUI and systemd unit; tessera-dev_<version>_all.deb with the SDK), checks
# them (lintian, systemd-analyze verify) and tries them: unpacked into a throwaway root, the
# installed server starts from there and answers /healthz and the WebUI.
# Usage: scripts/build-deb.sh   (after ./run.sh or ./test.sh, or on its own)
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR="$PWD"
scripts/install-deps.sh > /dev/null
for tool in lintian dpkg-shlibdeps; do
  command -v $tool > /dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq lintian dpkg-dev > /dev/null
done
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build
rm -rf build/packages
(cd build && cpack -G DEB -B packages > /dev/null)
ls build/packages/*.deb

echo "== lintian"
tags=$(lintian --tag-display-limit 0 build/packages/*.deb 2> /dev/null || true)
if [ -n "$tags" ]; then echo "$tags"; exit 1; fi
echo "lintian: clean"

root=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2> /dev/null; rm -rf "$root"' EXIT
for deb in build/packages/*.deb; do dpkg-deb -x "$deb" "$root"; done
echo "== systemd-analyze verify"
# The unit as packaged, but for ExecStart's path (the binary is unpacked here, not installed).
mkdir -p "$root/verify"
sed "s|/usr/bin/tessera-server|$root/usr/bin/tessera-server|" "$root/lib/systemd/system/tessera.service" \
  > "$root/verify/tessera.service"
verified=$(systemd-analyze verify "$root/verify/tessera.service" 2>&1 || true)
if grep -q "tessera.service" <<< "$verified"; then echo "$verified"; exit 1; fi
echo "systemd-analyze: OK"

# The installed binary, with the installed plugins and WebUI (found beside its bin folder).
mkdir -p "$root/try"
cat > "$root/try/tessera.yaml" << YAML
server:
  listen: [ { address: 127.0.0.1, port: 0, tls: false } ]
data_dir: $root/try/data
database: { url: "sqlite://$root/try/data/tessera.db" }
plugins: { directories: [ "$root/usr/lib/tessera/plugins" ] }
YAML
TESSERA_ADMIN_PASSWORD=try-the-package "$root/usr/bin/tessera-server" --config "$root/try/tessera.yaml" \
  > "$root/try/out" 2> "$root/try/err" < /dev/null &
pid=$!
for _ in $(seq 100); do grep -q 'listening on' "$root/try/out" 2> /dev/null && break; sleep 0.1; done
url=$(sed -n 's/^Tessera listening on //p' "$root/try/out")
[ -n "$url" ] || { cat "$root/try/err"; exit 1; }
curl -sf "$url/healthz" | grep -q '"database":"ok"'
curl -sf "$url/" | grep -q '<div id="root">'
plugins=$(ls "$root"/usr/lib/tessera/plugins/*.so | wc -l)
grep -q "Plugins: $plugins loaded, 0 refused" "$root/try/out" || { cat "$root/try/out"; exit 1; }
# The local CA made at the first start runs in a child process: the packaged plugin host works.
grep -q "plugin org.tessera.ca_local runs in process" "$root/try/err" || { cat "$root/try/err"; exit 1; }
echo "the installed server answers /healthz and serves the WebUI, with all $plugins plugins" \
  "(CA connectors in tessera-plugin-host): OK"
