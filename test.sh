#!/usr/bin/env bash
# Installs what is missing, builds everything and runs every test suite through ctest (unit,
# integration against real SQLite and PostgreSQL, the SDK example built out of tree).
set -euo pipefail
cd "$(dirname "$0")"
export CCACHE_BASEDIR="$PWD"  # cache hits across clones in other folders
scripts/install-deps.sh --tests
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build
cd build
exec ctest --output-on-failure --timeout 300 -j "$(nproc)"
