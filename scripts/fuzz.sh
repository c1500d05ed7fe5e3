#!/usr/bin/env bash
# Runs one libFuzzer target over its committed seeds for some seconds:
#   scripts/fuzz.sh BUILD_DIR/fuzz TARGET [seconds, default 60]
# TARGET: certsrv, wstep, xcep, token_file, radius_reply, http_router, certificate_request, oath,
# event_conditions, certificate_profile, plugin_answer, config, policy, message_template
# (tests/fuzz/*_fuzz.cpp).
# New inputs go to a temporary folder; a crash leaves its input in BUILD_DIR/fuzz and fails.
set -euo pipefail
build=$1 target=$2 seconds=${3:-60}
seeds="$(cd "$(dirname "$0")/.." && pwd)/tests/fuzz/corpus/$target"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$build"
"./${target}_fuzz" -max_total_time="$seconds" -max_len=262144 -rss_limit_mb=1024 \
  -timeout=10 -print_final_stats=1 "$work" "$seeds" </dev/null
