#!/usr/bin/env bash
# Installs the Debian packages that are missing: scripts/debian-packages-run.txt (build and run)
# and scripts/debian-packages.txt (tests), or with --run only the first. Lines naming releases
# apply only to those (this system's VERSION_CODENAME). Idempotent and quiet when everything is
# already there; needs root (or sudo) only when something is missing.
#   scripts/install-deps.sh [--run] [--print]     --print: list the packages, install nothing
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lists=("$here/debian-packages-run.txt" "$here/debian-packages.txt")
print=0
for arg in "$@"; do
  case $arg in
    --run) lists=("$here/debian-packages-run.txt") ;;
    --print) print=1 ;;
    *) echo "install-deps: unknown argument $arg" >&2; exit 64 ;;
  esac
done
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
mapfile -t wanted < <(grep -hv '^\s*#' "${lists[@]}" |
  awk -v rel="$codename" 'NF == 1 {print $1} NF > 1 {for (i = 2; i <= NF; i++) if ($i == rel) print $1}')
if [ $print -eq 1 ]; then
  printf '%s\n' "${wanted[@]}"
  exit 0
fi
missing=()
for pkg in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Debian's packaging starts services on install; these are test tools here, not system daemons.
policy_added=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
  $sudo chmod +x /usr/sbin/policy-rc.d
  policy_added=1
fi
trap '[ $policy_added -eq 1 ] && $sudo rm -f /usr/sbin/policy-rc.d' EXIT
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
