#!/usr/bin/env bash
# A Docker Engine API on this machine, served by Debian's podman (rootful), for the agent's
# Docker instance provider and its tests. Idempotent; start, image and conf install what is
# missing.
#
#   bash scripts/podman-docker.sh start [--socket PATH] [--timeout S]
#       Installs podman (+ runc, netavark, iptables, catatonit) when missing, writes
#       .cache/podman/containers.conf and runs `podman system service --time=0 unix://PATH` in the
#       background (default PATH: .cache/podman/podman.sock), then waits for GET /_ping = OK.
#       Prints `DOCKER_HOST=unix://PATH` as its last line. A service already answering on PATH is
#       left as it is.
#   bash scripts/podman-docker.sh stop [--socket PATH]
#   bash scripts/podman-docker.sh status [--socket PATH]     exit 0 when the socket answers _ping
#   bash scripts/podman-docker.sh image NAME [--force]
#       Makes the local image NAME (e.g. jit-base:latest) with `podman import` from a tiny root
#       file system: empty mount points, /etc/passwd and /etc/group, and the host's /bin, /lib…
#       links. It holds no program: containers bind-mount the host's /usr (and the repo)
#       read-only and run the host's `node`. Skipped when NAME exists, unless --force.
#   bash scripts/podman-docker.sh conf                      writes containers.conf, prints its path
#
# By hand: `docker` with DOCKER_HOST=unix://…/podman.sock, or the podman CLI with
# CONTAINERS_CONF=.cache/podman/containers.conf (without it, `podman run` fails here: see below).
#
# What this machine needs (found by trying; see the comments in write_conf):
#   - runtime runc: crun 1.8.1 fails on this hybrid cgroup layout (v1 controllers + an empty v2
#     mount): "cgroups in hybrid mode not supported, drop all controllers from cgroupv2".
#   - explicit nofile/nproc ulimits: rootful podman asks for 1048576 of each, and without
#     CAP_SYS_RESOURCE runc's setrlimit then fails ("error setting rlimit type 7/6: operation
#     not permitted"); podman and conmon run with a hard nproc of 32768, so nproc stays at or below.
#   - cgroup manager cgroupfs and the file events logger: there is no systemd/journald.
#   - Storage: the default rootful store (/var/lib/containers/storage, native overlay on ext4),
#     shared with the `podman` command line, so `podman ps` shows the containers.
#
# Environment: PODMAN_DOCKER_QUIET=1 prints only the DOCKER_HOST line on start.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$repo/scripts/lib/tools.sh"
state_dir="$repo/.cache/podman"
conf="$state_dir/containers.conf"
default_socket="$state_dir/podman.sock"

say() { [ "${PODMAN_DOCKER_QUIET:-0}" = 1 ] || echo "podman-docker: $*"; }
die() { echo "podman-docker: $*" >&2; exit 1; }

usage() {
  sed -n '2,23p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

# --- installation -------------------------------------------------------------------------

apt_log="${TMPDIR:-/tmp}/jit-podman-apt.log"
apt_updated=0

apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    die "missing: $*. Install them (Debian/Ubuntu) with: sudo apt-get install -y --no-install-recommends $*"
  fi
  command -v apt-get >/dev/null 2>&1 || die "missing: $* (and there is no apt-get here)"
  if [ "$apt_updated" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$apt_log" 2>&1 \
      || { tail -n 30 "$apt_log" >&2; die "apt-get update failed"; }
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 "$@" >>"$apt_log" 2>&1 \
    || { tail -n 30 "$apt_log" >&2; die "apt-get install $* failed"; }
}

# podman's Depends is `crun | runc`: naming runc keeps apt from choosing crun. netavark is the
# network stack (bridge + port publishing through iptables-nft), catatonit the --init binary.
ensure_podman() {
  local missing=()
  command -v podman >/dev/null 2>&1 || missing+=(podman)
  [ -x /usr/bin/runc ] || [ -x /usr/sbin/runc ] || command -v runc >/dev/null 2>&1 || missing+=(runc)
  [ -x /usr/lib/podman/netavark ] || [ -x /usr/libexec/podman/netavark ] || missing+=(netavark)
  command -v iptables >/dev/null 2>&1 || missing+=(iptables)
  [ -x /usr/libexec/podman/catatonit ] || [ -x /usr/bin/catatonit ] || missing+=(catatonit)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "podman-docker: installing ${missing[*]} (apt-get)"
    apt_install podman runc netavark iptables catatonit curl
  fi
  [ "$(id -u)" -eq 0 ] || say "warning: not root; rootless podman is untested here (the project runs it rootful)"
  clear_stale_run_state
}

# /run is no tmpfs on these machines, so podman's run-time state (/run/libpod, the store's
# run root /run/containers/storage with its mount counts, netavark's IP allocations) outlives a
# reboot, and podman, whose reboot check is a file there (/run/libpod/alive), takes it as
# current: layers counted as mounted are not mounted again. After a reboot, with no podman
# process left, that state is removed, as a tmpfs would have been emptied.
clear_stale_run_state() {
  [ "$(id -u)" -eq 0 ] || return 0
  [ -e /run/libpod/alive ] || return 0
  local boot alive
  boot="$(awk '/^btime/ {print $2}' /proc/stat 2>/dev/null || echo 0)"
  alive="$(stat -c %Y /run/libpod/alive 2>/dev/null || echo 0)"
  [ "$alive" -lt "$boot" ] || return 0
  if pgrep -x podman >/dev/null 2>&1 || pgrep -x conmon >/dev/null 2>&1; then
    return 0
  fi
  echo "podman-docker: clearing podman's run-time state left from before the last boot (/run is not a tmpfs here)"
  rm -rf /run/libpod /run/containers/storage /run/containers/networks
}

# --- containers.conf -------------------------------------------------------------------------

# min A B
min() { if [ "$1" = unlimited ]; then echo "$2"; elif [ "$2" = unlimited ] || [ "$1" -le "$2" ]; then echo "$1"; else echo "$2"; fi; }

write_conf() {
  mkdir -p "$state_dir"
  # A container may not get a hard limit above ours (no CAP_SYS_RESOURCE in this sandbox).
  local nofile nproc
  nofile="$(min "$(ulimit -Hn)" 1048576)"
  nproc="$(min "$(ulimit -Hu)" 32768)"
  local runc_path
  runc_path="$(command -v runc || echo /usr/bin/runc)"
  local tmp="$conf.tmp.$$"
  cat >"$tmp" <<EOF
# Written by scripts/podman-docker.sh; rewritten on every start. Read by podman through
# CONTAINERS_CONF (which replaces /usr/share/containers/containers.conf and /etc/containers/).

[containers]
# Rootful podman asks for nofile=nproc=1048576 by default; runc cannot raise a hard limit
# without CAP_SYS_RESOURCE, so containers get ours (nproc at most 32768: podman and conmon run
# with that hard limit here).
default_ulimits = [
  "nofile=$nofile:$nofile",
  "nproc=$nproc:$nproc",
]
log_driver = "k8s-file"
pids_limit = 4096

[network]
network_backend = "netavark"

[engine]
# crun fails on this hybrid cgroup layout ("cgroups in hybrid mode not supported"); runc works.
runtime = "runc"
# No systemd here: plain cgroupfs, and events in a file instead of journald.
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$state_dir/events.log"
# Podman's own default; docker-compatible stop timeout.
stop_timeout = 10

[engine.runtimes]
runc = ["$runc_path"]
EOF
  mv "$tmp" "$conf"
}

# --- service ---------------------------------------------------------------------------------

ping_ok() {
  local sock="$1"
  [ -S "$sock" ] || return 1
  [ "$(curl -s -m 2 --unix-socket "$sock" http://d/_ping 2>/dev/null || true)" = OK ]
}

pid_file_for() { echo "${1%.sock}.pid"; }
log_file_for() { echo "${1%.sock}.log"; }

cmd_start() {
  local sock="$default_socket" timeout=30
  while [ $# -gt 0 ]; do
    case "$1" in
      --socket) sock="$2"; shift 2 ;;
      --timeout) timeout="$2"; shift 2 ;;
      *) die "start: unknown option $1" ;;
    esac
  done
  case "$sock" in /*) ;; *) sock="$PWD/$sock" ;; esac
  ensure_podman
  write_conf
  if ping_ok "$sock"; then
    say "already serving on $sock"
    echo "DOCKER_HOST=unix://$sock"
    return 0
  fi
  local pid_file log_file
  pid_file="$(pid_file_for "$sock")"
  log_file="$(log_file_for "$sock")"
  mkdir -p "$(dirname "$sock")"
  # A stale service of ours (socket gone or not answering): end it before starting anew.
  if [ -f "$pid_file" ]; then
    local old
    old="$(cat "$pid_file")"
    if kill -0 "$old" 2>/dev/null && grep -q "podman" "/proc/$old/cmdline" 2>/dev/null; then
      kill "$old" 2>/dev/null || true
      sleep 1
    fi
    rm -f "$pid_file"
  fi
  rm -f "$sock"
  local t0
  t0="$(date +%s%N)"
  # setsid: the service outlives this script and is not hit by the caller's Ctrl-C.
  CONTAINERS_CONF="$conf" setsid podman --log-level=warn system service --time=0 "unix://$sock" \
    >"$log_file" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$pid_file"
  local deadline=$(( $(date +%s) + timeout ))
  until ping_ok "$sock"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "podman-docker: podman system service exited; the end of $log_file:" >&2
      tail -n 30 "$log_file" >&2
      rm -f "$pid_file"
      exit 1
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "podman-docker: no answer to GET /_ping on $sock within ${timeout}s; the end of $log_file:" >&2
      tail -n 30 "$log_file" >&2
      kill "$pid" 2>/dev/null || true
      rm -f "$pid_file"
      exit 1
    fi
    sleep 0.1
  done
  say "podman $(podman --version | awk '{print $3}') serves the Docker API on $sock (pid $pid, log $log_file, $(( ($(date +%s%N) - t0) / 1000000 )) ms)"
  echo "DOCKER_HOST=unix://$sock"
}

cmd_stop() {
  local sock="$default_socket"
  while [ $# -gt 0 ]; do
    case "$1" in
      --socket) sock="$2"; shift 2 ;;
      *) die "stop: unknown option $1" ;;
    esac
  done
  case "$sock" in /*) ;; *) sock="$PWD/$sock" ;; esac
  local pid_file
  pid_file="$(pid_file_for "$sock")"
  if [ ! -f "$pid_file" ]; then
    say "not running (no $pid_file)"
    rm -f "$sock"
    return 0
  fi
  local pid
  pid="$(cat "$pid_file")"
  if kill -0 "$pid" 2>/dev/null && grep -q "podman" "/proc/$pid/cmdline" 2>/dev/null; then
    stop_pid "$pid" 50 || true
    say "stopped (pid $pid); containers it started keep running (podman ps)"
  else
    say "not running (stale pid file)"
  fi
  rm -f "$pid_file" "$sock"
}

cmd_status() {
  local sock="$default_socket"
  while [ $# -gt 0 ]; do
    case "$1" in
      --socket) sock="$2"; shift 2 ;;
      *) die "status: unknown option $1" ;;
    esac
  done
  case "$sock" in /*) ;; *) sock="$PWD/$sock" ;; esac
  if ping_ok "$sock"; then
    echo "podman-docker: serving on $sock"
    echo "DOCKER_HOST=unix://$sock"
  else
    echo "podman-docker: not serving on $sock"
    return 1
  fi
}

# --- image -----------------------------------------------------------------------------------

cmd_image() {
  local name="" force=0
  while [ $# -gt 0 ]; do
    case "$1" in
      --force) force=1; shift ;;
      -*) die "image: unknown option $1" ;;
      *) [ -z "$name" ] || die "image: one NAME only"; name="$1"; shift ;;
    esac
  done
  [ -n "$name" ] || die "usage: podman-docker.sh image NAME [--force]"
  ensure_podman
  write_conf
  export CONTAINERS_CONF="$conf"
  if [ "$force" -eq 0 ] && podman image exists "$name" 2>/dev/null; then
    say "image $name exists"
    return 0
  fi
  local work
  work="$(mktemp -d)"
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" EXIT
  local root="$work/rootfs"
  mkdir -p "$root"/{usr,etc,tmp,var/tmp,proc,sys,dev,run,root,home,opt,mnt,srv}
  chmod 1777 "$root/tmp" "$root/var/tmp"
  chmod 700 "$root/root"
  # The host's layout: on a merged-/usr system /bin, /lib… are links into /usr, which the
  # container bind-mounts; elsewhere they are mount points of their own.
  local d
  for d in bin sbin lib lib32 lib64 libx32; do
    if [ -L "/$d" ]; then
      ln -s "$(readlink "/$d")" "$root/$d"
    elif [ -d "/$d" ]; then
      mkdir -p "$root/$d"
    fi
  done
  printf '%s\n' \
    'root:x:0:0:root:/root:/bin/sh' \
    'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin' >"$root/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$root/etc/group"
  printf '%s\n' 'passwd: files' 'group: files' 'hosts: files dns' >"$root/etc/nsswitch.conf"
  tar -C "$root" --numeric-owner --owner=0 --group=0 -cf "$work/rootfs.tar" .
  podman import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'WORKDIR /' \
    --change 'LABEL jit.base=host-bind' \
    --message "jit base: empty root file system; bind-mount the host's /usr read-only" \
    "$work/rootfs.tar" "$name" >/dev/null
  say "image $name made ($(podman image inspect -f '{{.Id}}' "$name" | cut -c1-12))"
}

# --- main ------------------------------------------------------------------------------------

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  start) cmd_start "$@" ;;
  stop) cmd_stop "$@" ;;
  status) cmd_status "$@" ;;
  image) cmd_image "$@" ;;
  conf) ensure_podman; write_conf; echo "$conf" ;;
  -h|--help|help) usage ;;
  *) usage >&2; exit 2 ;;
esac
