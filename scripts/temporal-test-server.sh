#!/usr/bin/env bash
# Temporal's time-skipping test server, for the workflow unit tests (@temporalio/testing's
# TestWorkflowEnvironment.createTimeSkipping). The SDK would download a native build of it, which
# this project's machines cannot reach; the same server is published on Maven Central as
# io.temporal:temporal-test-server, so it runs here on the JVM.
#
#   bash scripts/temporal-test-server.sh --prepare   resolve the jars (Maven, once; cached)
#   bash scripts/temporal-test-server.sh PORT        run the server on PORT (what the SDK calls)
#
# Needs java (≥ 11) and mvn; as root, setup.sh --unit installs them when missing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pom="$root/scripts/temporal-test-server/pom.xml"
classpath="$root/.cache/temporal-test-server/classpath.txt"

prepare() {
  if [ -s "$classpath" ] && [ "$classpath" -nt "$pom" ]; then return 0; fi
  mkdir -p "$(dirname "$classpath")"
  local log
  log="$(mktemp)"
  if ! mvn -B -q -f "$pom" dependency:build-classpath -Dmdep.outputFile="$classpath.tmp" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log" "$classpath.tmp"
    echo "temporal-test-server: resolving io.temporal:temporal-test-server with Maven failed" >&2
    exit 1
  fi
  rm -f "$log"
  mv "$classpath.tmp" "$classpath"
}

case "${1:-}" in
  --prepare)
    prepare
    ;;
  ''|-h|--help)
    sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    ;;
  *)
    prepare
    exec java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -cp "$(cat "$classpath")" io.temporal.testserver.TestServer "$@"
    ;;
esac
