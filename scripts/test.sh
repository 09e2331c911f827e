#!/usr/bin/env bash
# Newcomer command 2 (and CI): install what is missing, build, and run every test:
#   1. the default build (RelWithDebInfo): unit, integration and end-to-end tests;
#   2. the asan build (ASan + UBSan): the same suite again;
#   3. every libFuzzer target for a short, bounded time (10 s each, 80 s in all).
# Set RDNS_TEST_SKIP_ASAN=1 or RDNS_TEST_SKIP_FUZZ=1 to shorten a local run (CI runs everything).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
scripts/install-deps.sh
scripts/install-helm.sh
summary=$(mktemp)
trap 'rm -f "$summary"' EXIT
# Runs ctest for a preset, keeping its "N tests failed out of M" line for the closing summary.
run_ctest() {
  ctest --preset "$1" -j 2 | tee -a "$summary"
}

echo "== default build"
scripts/build.sh default
run_ctest default

if [ "${RDNS_TEST_SKIP_ASAN:-0}" != 1 ]; then
  echo "== asan build"
  scripts/build.sh asan
  run_ctest asan
fi

if [ "${RDNS_TEST_SKIP_FUZZ:-0}" != 1 ]; then
  echo "== fuzzing"
  scripts/fuzz.sh "${RDNS_FUZZ_SECONDS:-10}"
fi
total=$(grep -Eo 'tests failed out of [0-9]+' "$summary" | awk '{n += $5} END {print n + 0}')
echo "== all tests passed in $(( $(date +%s) - start ))s"
echo "tests: $total passed, 0 failed"
