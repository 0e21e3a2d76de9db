#!/usr/bin/env bash
# Makes sure the tools jit needs are present; quick when they are. Runs before every
# `npm start` (setup.sh) and `npm test` (setup.sh --test).
#
#   ffmpeg / ffprobe     Debian package `ffmpeg`             always
#   /usr/bin/chromium    Debian package `chromium` (+ fonts)  with --test (end-to-end tests)
#   turnserver           Debian package `coturn`              with --test, or when JIT_TURN is set
#   java, mvn            Debian packages `default-jre-headless`, `maven`: with --unit or --test
#                        (Temporal's time-skipping test server, scripts/temporal-test-server.sh)
#   node_modules         npm ci, when missing or package-lock.json changed since the last run
#
# As root, missing packages are installed with apt-get; otherwise it says what to install.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

want_test=0
want_unit=0
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1; want_unit=1 ;;
    --unit) want_unit=1 ;;
    -h|--help)
      echo "usage: bash scripts/setup.sh [--unit | --test]"
      exit 0
      ;;
    *)
      echo "setup: unknown option: $arg" >&2
      exit 2
      ;;
  esac
done

apt_updated=0
apt_log="${TMPDIR:-/tmp}/jit-setup-apt.log"

# apt_install PACKAGE... : installs Debian packages (root only), logs kept out of the console.
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then
    if ! DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$apt_log" 2>&1; then
      echo "setup: apt-get update failed:" >&2
      tail -n 30 "$apt_log" >&2
      exit 1
    fi
    apt_updated=1
  fi
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 "$@" >>"$apt_log" 2>&1; then
    echo "setup: apt-get install $* failed:" >&2
    tail -n 30 "$apt_log" >&2
    exit 1
  fi
}

# ensure WHAT CHECK_CMD PACKAGE... : CHECK_CMD is a command name or an absolute path.
ensure() {
  local what="$1" check="$2"
  shift 2
  if [ "${check#/}" != "$check" ]; then
    [ -x "$check" ] && return 0
  else
    command -v "$check" >/dev/null 2>&1 && return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: $what is missing. Install it (Debian/Ubuntu) with:" >&2
    echo "         sudo apt-get install -y $*" >&2
    echo "       then run this again." >&2
    exit 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: $what is missing and there is no apt-get here; install the packages: $*" >&2
    exit 1
  fi
  echo "setup: installing $* (apt-get)"
  apt_install "$@"
  if [ "${check#/}" != "$check" ]; then
    [ -x "$check" ] || { echo "setup: $check still missing after installing $*" >&2; exit 1; }
  else
    command -v "$check" >/dev/null 2>&1 || { echo "setup: $check still missing after installing $*" >&2; exit 1; }
  fi
}

# Node modules: npm ci when node_modules is missing or package-lock.json is newer than the
# stamp of the last install (npm's own node_modules/.package-lock.json stands in for the stamp
# when node_modules was installed by hand).
stamp=node_modules/.setup-stamp
ref="$stamp"
[ -e "$ref" ] || ref=node_modules/.package-lock.json
if [ ! -d node_modules ] || [ ! -e "$ref" ] || [ package-lock.json -nt "$ref" ]; then
  echo "setup: installing node modules (npm ci)"
  # SKIP_FFMPEG: node-av's postinstall would otherwise try to download its own ffmpeg binary
  # from GitHub; jit uses the system ffmpeg and node-av's prebuilt library package.
  SKIP_FFMPEG=true npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
elif [ ! -e "$stamp" ]; then
  touch "$stamp"
fi

# ffmpeg CLI (sample media, tests, benchmarks; the JIT itself links FFmpeg through node-av):
# Debian's package as root, else the static binaries npm packages ship (an older FFmpeg, slower).
if ! command -v ffmpeg >/dev/null 2>&1 && [ "$(id -u)" -ne 0 ]; then
  if [ ! -x node_modules/@ffmpeg-installer/linux-x64/ffmpeg ] || [ ! -x node_modules/@ffprobe-installer/linux-x64/ffprobe ]; then
    echo "setup: ffmpeg is missing and this is not root: installing the binaries of @ffmpeg-installer/@ffprobe-installer (npm)"
    npm install --no-save --no-audit --no-fund --loglevel=error @ffmpeg-installer/ffmpeg @ffprobe-installer/ffprobe
  fi
else
  ensure ffmpeg ffmpeg ffmpeg
  ensure ffprobe ffprobe ffmpeg
fi

if [ "$want_test" -eq 1 ]; then
  ensure chromium /usr/bin/chromium chromium fonts-liberation
fi

# coturn: the STUN/TURN server the orchestrator supervises with --turn / JIT_TURN.
if [ "$want_test" -eq 1 ] || [ -n "${JIT_TURN:-}" ]; then
  ensure turnserver turnserver coturn
fi

# The unit tests' Temporal: the time-skipping test server on the JVM, its jars from Maven Central.
if [ "$want_unit" -eq 1 ]; then
  ensure java java default-jre-headless
  ensure mvn mvn maven
  bash scripts/temporal-test-server.sh --prepare
fi
