#!/usr/bin/env bash
# Proves a plain Release configure (what a packager runs: -O3, no preset) builds the binary
# without a single warning, with GCC and with clang: each build treats warnings as errors.
#   scripts/release-build-check.sh [g++|clang++ ...]     default: both
# Builds only the rdns_exporter target, in build/release-<compiler>; a few minutes each.
set -euo pipefail
cd "$(dirname "$0")/.."
compilers=("$@")
[ ${#compilers[@]} -gt 0 ] || compilers=(g++ clang++)
for cxx in "${compilers[@]}"; do
  dir="build/release-${cxx%++}"
  echo "== Release build with $cxx ($($cxx --version | head -n1))"
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER="$cxx" \
    -DRDNS_TESTS=OFF -DRDNS_BENCH=OFF -DRDNS_WERROR=ON >/dev/null
  # -k 0: report every file that warns, not just the first.
  cmake --build "$dir" --target rdns_exporter -j "$(nproc)" -- -k 0
  "$dir/agent/rdns_exporter" --version
done
echo "== Release builds warning-free: ${compilers[*]}"
