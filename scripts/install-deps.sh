#!/usr/bin/env bash
# Installs the Debian 12 packages Tessera needs that are missing. Usage:
#   scripts/install-deps.sh          build + run
#   scripts/install-deps.sh --tests  build + run + the peers the tests start
# Never installs libboost-dev (Boost 1.74): it conflicts with the 1.81 packages we use.
set -euo pipefail
build=(g++ cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsoci-dev libsoci-sqlite3-4.0 libsoci-postgresql4.0 libsqlite3-dev libpq-dev
  libyaml-cpp-dev libssl-dev libspdlog-dev libfmt-dev libcli11-dev libcurl4-openssl-dev
  libargon2-dev libjwt-dev libldap2-dev libqrencode-dev libxml2-dev libkrb5-dev zlib1g-dev
  libp11-kit-dev openssl curl)
tests=(libgtest-dev libgmock-dev postgresql-15 postgresql-client-15 slapd ldap-utils pebble
  freeradius freeradius-rest freeradius-utils oathtool faketime wrk python3-aiosmtpd python3-pskc
  krb5-kdc krb5-admin-server python3-gssapi clang-14 libclang-rt-14-dev
  chromium fonts-liberation softhsm2 opensc libengine-pkcs11-openssl openssh-server
  postgresql-15-auto-failover pg-auto-failover-cli haproxy)
wanted=("${build[@]}")
[ "${1:-}" = "--tests" ] && wanted+=("${tests[@]}")

missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# The WebUI's build needs Node.js 20 or later with npm; a machine that has one from elsewhere
# (NodeSource) keeps it, else Debian's packages.
command -v npm > /dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
  # freeradius's postinst may start a system radiusd on 1812; the tests run their own.
  if [[ " ${missing[*]} " == *" freeradius "* ]]; then
    "${sudo[@]}" service freeradius stop > /dev/null 2>&1 || true
  fi
fi
