#!/usr/bin/env bash
# Installs the SDK from the build tree into a temporary prefix and builds the example plugin
# out of tree against it, as a third party would. Usage: build_sdk_example.sh BUILD_DIR SOURCE_DIR OUT_DIR
set -euo pipefail
build_dir=$1 source_dir=$2 out=$3
rm -rf "$out"
mkdir -p "$out/plugins"
cmake --install "$build_dir" --prefix "$out/prefix" > "$out/install.log"
generator=()
command -v ninja > /dev/null && generator=(-G Ninja)
launcher=()
command -v ccache > /dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$source_dir/sdk/examples/hello_token" -B "$out/build" "${generator[@]}" "${launcher[@]}" \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$out/prefix" > "$out/configure.log"
cmake --build "$out/build"
install -m 0755 "$out/build/libhello_token.so" "$out/plugins/"
echo "built $out/plugins/libhello_token.so out of tree"
