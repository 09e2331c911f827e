#!/usr/bin/env bash
# Configures and builds one CMake preset (default: "default"); further arguments go to the build
# (e.g. --target NAME). Used by test.sh and fuzz.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-default}
shift $(( $# > 0 ? 1 : 0 ))
# With ccache installed (the test list installs it), a rebuild of unchanged sources is a cache
# hit, also from another clone of the tree (paths are taken relative to the clone). A launcher
# already set by the caller wins; the cache is tied to the compiler and its flags, so it never
# changes what is built.
if command -v ccache >/dev/null && [ -z "${CMAKE_CXX_COMPILER_LAUNCHER:-}" ]; then
  export CMAKE_CXX_COMPILER_LAUNCHER=ccache
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(pwd)}"
  # Debug info would otherwise put the build directory in the hash: no hit from another clone.
  export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
fi
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)" "$@"
