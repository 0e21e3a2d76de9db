#!/usr/bin/env bash
# A local AWS emulator (moto's server mode, EC2 and S3 among others) for the tests of the AWS
# instance provider and the JIT's s3:// inputs. Installs moto when it is missing.
#
#   bash scripts/moto.sh start --port N [--dir DIR] [--timeout S]
#       Starts `moto_server` on 127.0.0.1:N in the background (state in memory, log and pid in
#       DIR, default .cache/moto-N) and waits until it answers. AMI and key pair validation are
#       on (MOTO_ENABLE_AMI_VALIDATION, MOTO_ENABLE_KEYPAIR_VALIDATION), so a bad AMI fails as
#       it does on EC2. A server of ours already running from DIR is left as it is.
#       Prints AWS_ENDPOINT_URL=http://127.0.0.1:N as its last line.
#   bash scripts/moto.sh stop [--port N | --dir DIR]
#   bash scripts/moto.sh path      prints the folder moto is installed in (installing it first)
#
# moto comes from `python3 -m pip install --target ~/.cache/jit/moto-<version> "moto[server]==<version>"`
# (--target keeps it out of the user's Python and works on Debian's externally managed Python).
# MOTO_VERSION picks the version (default 5.2.5).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$repo/scripts/lib/tools.sh"
version="${MOTO_VERSION:-5.2.5}"
target="${XDG_CACHE_HOME:-$HOME/.cache}/jit/moto-$version"

die() { echo "moto: $*" >&2; exit 1; }
usage() { sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

py="$(command -v python3 || command -v python || true)"

ensure_moto() {
  [ -n "$py" ] || die "python3 is needed to run moto"
  [ -f "$target/moto/server.py" ] && return 0
  echo "moto: installing moto[server]==$version into $target"
  pip_install_into "$py" "$target" "moto[server]==$version" moto/server.py || die "could not install moto[server]==$version"
}

# pid of our server from DIR when it is alive, else nothing.
server_pid() {
  local dir="$1" pid
  [ -f "$dir/server.pid" ] || return 0
  pid="$(cat "$dir/server.pid")"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "moto.server"; then
    echo "$pid"
  fi
}

# Whether a server answers on 127.0.0.1:PORT (python rather than curl: one dependency fewer).
answers() { "$py" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$1/moto-api/', timeout=2)" 2>/dev/null; }

start_server() {
  local port="$1" dir="$2" timeout="$3"
  ensure_moto
  mkdir -p "$dir"
  if [ -n "$(server_pid "$dir")" ] && answers "$port"; then
    echo "moto: already running (pid $(server_pid "$dir"))"
    echo "AWS_ENDPOINT_URL=http://127.0.0.1:$port"
    return 0
  fi
  answers "$port" && die "something not started from $dir already answers on 127.0.0.1:$port"
  local log="$dir/server.log"
  echo "=== $(date -u +%FT%TZ) moto $version on 127.0.0.1:$port" >>"$log"
  # setsid: the server outlives this script; all its output goes to the log.
  PYTHONPATH="$target" MOTO_ENABLE_AMI_VALIDATION=true MOTO_ENABLE_KEYPAIR_VALIDATION=true \
    setsid "$py" -m moto.server -H 127.0.0.1 -p "$port" >>"$log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$dir/server.pid"
  local deadline=$(( $(date +%s) + timeout ))
  until answers "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$log" >&2
      rm -f "$dir/server.pid"
      die "the server exited before it answered (log: $log)"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      kill "$pid" 2>/dev/null || true
      rm -f "$dir/server.pid"
      tail -n 30 "$log" >&2
      die "the server did not answer on 127.0.0.1:$port within ${timeout}s"
    fi
    sleep 0.2
  done
  echo "moto: $version ready (pid $pid, log $log)"
  echo "AWS_ENDPOINT_URL=http://127.0.0.1:$port"
}

stop_server() {
  local dir="$1" pid
  pid="$(server_pid "$dir")"
  if [ -z "$pid" ]; then
    echo "moto: not running (from $dir)"
    rm -f "$dir/server.pid"
    return 0
  fi
  stop_pid "$pid" 50 || true
  rm -f "$dir/server.pid"
  echo "moto: stopped (pid $pid)"
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
port="" dir="" timeout=60
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --timeout) timeout="$2"; shift 2 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
case "$port" in *[!0-9]*) die "--port must be a number" ;; esac
[ -n "$dir" ] || { [ -n "$port" ] || [ "$cmd" = path ] || [ "$cmd" = stop ] || die "--port is required"; dir="$repo/.cache/moto-$port"; }
case "$cmd" in
  start) [ -n "$port" ] || die "start: --port is required"; start_server "$port" "$dir" "$timeout" ;;
  stop) [ -n "$dir" ] || die "stop: give --port or --dir"; stop_server "$dir" ;;
  path) ensure_moto; echo "$target" ;;
  -h|--help|help) usage ;;
  *) usage >&2; exit 2 ;;
esac
