#!/usr/bin/env bash
# What fault tolerance costs, measured side by side in one run (docs/benchmarks.md):
#   plain   the test VM under QEMU TCG, no -icount, no record/replay
#   record  the same with -icount shift=auto,rr=record to a regular file, no backup
#   ft      the protected pair (ftvm start --pair: primary records and streams, backup follows)
# Same guest, same client on the client host, same time per configuration once the guest is
# ready. Prints a table with ft/plain, ft/record and record/plain; writes results.json and
# results.txt to the work directory. Needs root (network namespaces, TAP devices).
#
#   bench/run.sh                       # all three, 15 s echo + 15 s kv each (~5 min in total)
#   bench/run.sh --seconds 30          # longer phases
#   bench/run.sh --configs plain,ft    # a subset
#   bench/run.sh --help                # every option
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
log() { printf '[bench] %s\n' "$*" >&2; }

if [ "$(id -u)" != 0 ]; then
  echo "bench/run.sh needs root: it creates network namespaces and TAP devices" >&2
  exit 1
fi

eval "$("$root/scripts/setup.sh")"
cd "$root"

# -DskipTests compiles the test sources (the bench lives there) without running any test.
log "building (mvn install -DskipTests for supervisor and the modules it uses)"
mvn -q -B -ntp -pl supervisor -am install -DskipTests
classpath_file=$(mktemp -t ftvm-bench-cp.XXXXXX)
trap 'rm -f "$classpath_file"' EXIT
(cd supervisor && mvn -q -B -ntp dependency:build-classpath -Dmdep.outputFile="$classpath_file" >&2)
classpath="$root/supervisor/target/test-classes:$root/supervisor/target/classes:$(cat "$classpath_file")"

work=${FTVM_BENCH_DIR:-$root/supervisor/target/bench/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$work"

# Same list as <chronicle.jvm.flags> in pom.xml: the supervisor daemons the pair starts inherit
# these from this JVM, and their Chronicle log store needs them on Java 17.
jvm_flags=(
  --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-exports=java.base/sun.nio.ch=ALL-UNNAMED
  --add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
  --add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  -Dchronicle.analytics.disable=true
  -Dchronicle.disk.monitor.disable=true
)

{
  echo "date:     $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host:     $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
  echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min, before the run)"
  echo "qemu:     $FTVM_QEMU ($("$FTVM_QEMU" --version | head -1))"
  echo "test VM:  $FTVM_TESTVM"
  echo "command:  bench/run.sh $*"
} | tee "$work/environment.txt" >&2

log "work directory $work"
set +e
java "${jvm_flags[@]}" -cp "$classpath" io.ftvm.bench.FtOverheadBench \
  --qemu "$FTVM_QEMU" --test-vm "$FTVM_TESTVM" --work-dir "$work" "$@"
status=$?
set -e
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$work/environment.txt" >&2
log "results: $work/results.json, $work/results.txt"
exit $status
