#!/usr/bin/env bash
# Newcomer command 2 (and CI): install what is missing, build, and run every test once, in the
# build where it finds the most:
#   1. the optimized build (default preset, RelWithDebInfo, warnings as errors) compiles the
#      product and only what its share needs: the timing bounds, the benchmarks' smoke runs, the
#      alerting tests (real Prometheus + Alertmanager over the shipped rules and dashboards), the
#      packaging and chart tests (labels alerting, bench, chart, packaging, timing);
#   2. the sanitizer build (ASan + UBSan) compiles everything else and runs every other test:
#      `unit`, `integration` (real Knot and libunbound) and `e2e` (the real binary);
#   3. every libFuzzer target for a short, bounded time (10 s each, one per core at a time).
# Tests labelled `deploy` (release artifacts under podman) are scripts/test-deploy.sh's.
# Set RDNS_TEST_SKIP_ASAN=1 or RDNS_TEST_SKIP_FUZZ=1 to shorten a local run (CI runs everything).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
scripts/install-deps.sh
scripts/install-helm.sh
summary=$(mktemp)
trap 'rm -f "$summary"' EXIT
# Runs ctest for a test preset (CMakePresets.json: test-optimized and test-asan say which labels
# each build runs; a preset's filter would override one given here), keeping its "N tests failed out of M"
# line for the closing summary, and says how long the step took.
run_ctest() {
  local preset=$1 step_start
  shift
  step_start=$(date +%s)
  ctest --preset "$preset" -j 2 "$@" | tee -a "$summary"
  echo "== ctest $preset: $(( $(date +%s) - step_start ))s"
}
timed() {
  local step_start
  step_start=$(date +%s)
  "$@"
  echo "== $*: $(( $(date +%s) - step_start ))s"
}

echo "== optimized build (the product and its share of the tests)"
timed scripts/build.sh default --target rdns_optimized_tests
run_ctest test-optimized

if [ "${RDNS_TEST_SKIP_ASAN:-0}" != 1 ]; then
  echo "== asan build"
  timed scripts/build.sh asan
  run_ctest test-asan
fi

if [ "${RDNS_TEST_SKIP_FUZZ:-0}" != 1 ]; then
  echo "== fuzzing"
  timed scripts/fuzz.sh "${RDNS_FUZZ_SECONDS:-10}"
fi
total=$(grep -Eo 'tests failed out of [0-9]+' "$summary" | awk '{n += $5} END {print n + 0}')
echo "== all tests passed in $(( $(date +%s) - start ))s"
echo "tests: $total passed, 0 failed"
