# Sourced by the scripts that run podman (test-deploy.sh, release.sh): podman, mmdebstrap and
# runc from Debian, and podman settings of our own (runc, cgroupfs, ulimits no higher than this
# shell's hard limits) through CONTAINERS_CONF, never the machine's /etc/containers.
# Defines rdns_debian_base RELEASE: a debian:RELEASE-slim image from `mmdebstrap --variant=minbase`
# when none is stored yet (no registry needed, only the Debian archive).

rdns_podman_setup() {
  local missing=() pkg
  for pkg in podman mmdebstrap runc uidmap; do
    dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null | grep -qx installed || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "podman-env: installing ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  local conf_dir=${RDNS_PODMAN_CONF_DIR:-${XDG_RUNTIME_DIR:-/tmp}/rdns-podman}
  mkdir -p "$conf_dir"
  # A container may not ask for more than this shell may: podman's default ulimits are the
  # machine's maximum, which a nested or restricted host refuses.
  local nofile nproc
  nofile=$(ulimit -Hn); [ "$nofile" = unlimited ] && nofile=1048576
  nproc=$(ulimit -Hu); [ "$nproc" = unlimited ] && nproc=65536
  [ "$nofile" -gt 65536 ] && nofile=65536
  [ "$nproc" -gt 4096 ] && nproc=4096
  cat >"$conf_dir/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=${nproc}:${nproc}"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
  export CONTAINERS_CONF="$conf_dir/containers.conf"
}

# debian:RELEASE-slim (bookworm, trixie) in local storage; made once, reused afterwards.
rdns_debian_base() {
  local release=$1 image="docker.io/library/debian:$1-slim"
  if podman image exists "$image"; then
    return 0
  fi
  echo "podman-env: building $image with mmdebstrap --variant=minbase" >&2
  mmdebstrap --quiet --variant=minbase "$release" - \
      "deb http://deb.debian.org/debian $release main" \
      "deb http://deb.debian.org/debian $release-updates main" \
      "deb http://deb.debian.org/debian-security $release-security main" \
    | podman import --quiet - "$image" >/dev/null
}
