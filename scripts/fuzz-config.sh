#!/usr/bin/env bash
# Kept for habit: fuzzes the config loader only. scripts/fuzz.sh runs every target.
#   scripts/fuzz-config.sh [SECONDS]     default 30
exec "$(dirname "$0")/fuzz.sh" "${1:-30}" config
