#!/usr/bin/env bash
# Newcomer command 1: install what is missing, build, and run the agent on the example config.
# Extra arguments go to rdns_exporter (e.g. --web.listen-address=:9781 --log.level=debug).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh default
exec build/default/agent/rdns_exporter --config.file=config/examples/rdns_exporter.toml "$@"
