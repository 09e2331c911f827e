#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, libFuzzer + ASan + UBSan) and runs each for SECONDS.
#   scripts/fuzz.sh [SECONDS] [TARGET...]     default 30 s each, every target
#   scripts/fuzz.sh 15 dns_wire classifier    two of them ("fuzz_" may be left off)
# Targets: config, web_config, dns_wire, classifier, probe_query, basic_auth, state, spf_record
# (tests/fuzz/).
# Targets run one per core at a time (RDNS_FUZZ_JOBS=N overrides).
# Each starts from its committed seeds (tests/fuzz/corpus/<target>/, read only) and grows a
# working corpus in <build>/corpus/<target>/ that is kept between runs. A crash, leak, timeout
# or failed invariant leaves its input in <build>/artifacts/<target>/ and makes this script fail
# (after the other targets have run). The last line of each run's libFuzzer statistics is
# printed as one "== target: ..." summary line.
# RDNS_FUZZ_BUILD_DIR overrides the build directory (default: build/fuzz, as preset "fuzz").
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
shift || true
all_targets=(config web_config dns_wire classifier probe_query basic_auth state spf_record)
if [ $# -gt 0 ]; then targets=("${@#fuzz_}"); else targets=("${all_targets[@]}"); fi
build_dir=${RDNS_FUZZ_BUILD_DIR:-build/fuzz}

for t in "${targets[@]}"; do
  [ -f "tests/fuzz/fuzz_$t.cpp" ] || { echo "unknown fuzz target: $t (known: ${all_targets[*]})" >&2; exit 64; }
done

# The same settings as the "fuzz" preset in CMakePresets.json (and ccache as in build.sh).
if command -v ccache >/dev/null && [ -z "${CMAKE_CXX_COMPILER_LAUNCHER:-}" ]; then
  export CMAKE_CXX_COMPILER_LAUNCHER=ccache
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(pwd)}"
  # Debug info would otherwise put the build directory in the hash: no hit from another clone.
  export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
fi
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ \
  -DRDNS_FUZZ=ON -DRDNS_TESTS=OFF -DRDNS_BENCH=OFF -DRDNS_WERROR=ON >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target "${targets[@]/#/fuzz_}"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"

# Runs one target for $seconds; its summary (or failure tail) goes to <build>/fuzz-<target>.result.
fuzz_one() {
  local t=$1
  local corpus="$build_dir/corpus/$t" artifacts="$build_dir/artifacts/$t" log="$build_dir/fuzz-$t.log"
  local result="$build_dir/fuzz-$t.result"
  mkdir -p "$corpus" "$artifacts"
  local seeds=("tests/fuzz/corpus/$t")
  [ "$t" = config ] && seeds+=(config/examples config/testdata)
  local dict=()
  [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
  # New inputs go to the first directory (the working corpus); the seeds are only read.
  if "$build_dir/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -max_len=16384 "${dict[@]}" -artifact_prefix="$artifacts/" -print_final_stats=1 \
      "$corpus" "${seeds[@]}" >"$log" 2>&1; then
    # "#4722 DONE cov: 8751 ft: 21001 corp: 212/148Kb ..." -> runs, coverage, features, corpus.
    grep -E '^#[0-9]+' "$log" | tail -1 | awk -v t="$t" '{
      for (i = 1; i <= NF; i++) { if ($i == "cov:") c = $(i + 1); if ($i == "ft:") f = $(i + 1); if ($i == "corp:") p = $(i + 1) }
      printf "== %s: %s runs, coverage %s edges, %s features, corpus %s, no crash\n", t, substr($1, 2), c, f, p }' >"$result"
  else
    { tail -n 40 "$log"; echo "== $t: FAILED, input saved in $artifacts/, full log in $log"; } >"$result"
  fi
}

# One target per core at a time (RDNS_FUZZ_JOBS overrides): each libFuzzer process is
# single-threaded, so on 2 cores the 8 targets take 4 x SECONDS, not 8 x SECONDS.
jobs=${RDNS_FUZZ_JOBS:-$(nproc)}
echo "== fuzzing ${targets[*]} for ${seconds}s each, $jobs at a time"
running=0
for t in "${targets[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true  # fuzz_one reports through its .result file
    running=$((running - 1))
  fi
  fuzz_one "$t" &
  running=$((running + 1))
done
wait || true

failed=()
for t in "${targets[@]}"; do
  cat "$build_dir/fuzz-$t.result"
  grep -q "== $t: FAILED" "$build_dir/fuzz-$t.result" && failed+=("$t")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "== fuzzing found problems in: ${failed[*]}"
  exit 1
fi
echo "== fuzzing found nothing in ${seconds}s per target (${targets[*]})"
