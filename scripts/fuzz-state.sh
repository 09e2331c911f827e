#!/usr/bin/env bash
# Builds the state file decoder fuzzer (clang, libFuzzer + ASan + UBSan) and runs it.
#   scripts/fuzz-state.sh [SECONDS]     default 30; run longer to dig deeper
# The corpus grows in build/fuzz/corpus-state (kept between runs), seeded from
# tests/fuzz/corpus/state (files written by the state file test). A crash, leak or hang leaves
# its input in build/fuzz/artifacts-state/ and makes this script fail.
# RDNS_FUZZ_BUILD_DIR overrides the build directory (default: build/fuzz, as preset "fuzz").
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
build_dir=${RDNS_FUZZ_BUILD_DIR:-build/fuzz}

# The same settings as the "fuzz" preset in CMakePresets.json.
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ \
  -DRDNS_FUZZ=ON -DRDNS_TESTS=OFF -DRDNS_BENCH=OFF >/dev/null
cmake --build "$build_dir" --target fuzz_state -j "$(nproc)"

corpus="$build_dir/corpus-state"
artifacts="$build_dir/artifacts-state"
mkdir -p "$corpus" "$artifacts"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
echo "== fuzzing the state file decoder for ${seconds}s"
"$build_dir/tests/fuzz/fuzz_state" \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -artifact_prefix="$artifacts/" -print_final_stats=1 \
  "$corpus" tests/fuzz/corpus/state
echo "== fuzzing found nothing in ${seconds}s"
