#!/usr/bin/env bash
# Newcomer command 1: install what building and running needs (scripts/debian-packages-run.txt
# only, no test tools), build the agent binary only (Release, no tests, benchmarks or man page),
# and run it on the example config. Extra arguments go to rdns_exporter
# (e.g. --web.listen-address=:9781 --log.level=debug).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --run
# -O2, as Debian builds its packages and as the benchmarks measured (CMake's Release default, -O3,
# takes about a fifth more compile time).
cmake -S . -B build/run -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
  -DRDNS_TESTS=OFF -DRDNS_BENCH=OFF -DRDNS_MANPAGE=OFF >/dev/null
cmake --build build/run --target rdns_exporter -j "$(nproc)"
exec build/run/agent/rdns_exporter --config.file=config/examples/rdns_exporter.toml "$@"
