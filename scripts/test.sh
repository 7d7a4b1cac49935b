#!/usr/bin/env bash
# The project's test command (README "Quick start", run by .ci/run): builds what is missing
# (scripts/setup.sh), then runs every module's unit tests and the integration tests that boot the
# real test VM under the real patched QEMU in network namespaces.
#   scripts/test.sh                 # everything
#   scripts/test.sh -DskipITs=true  # unit tests only (seconds); extra args go to Maven
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
eval "$("$root/scripts/setup.sh")"
cd "$root"
echo "[test] mvn verify with QEMU $FTVM_QEMU and test VM $FTVM_TESTVM" >&2
exec mvn -B -ntp verify -Dftvm.qemu="$FTVM_QEMU" -Dftvm.testvm="$FTVM_TESTVM" "$@"
