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
source "$(dirname "$0")/lib.sh"
bench_prepare bench/run.sh

work=${FTVM_BENCH_DIR:-$root/supervisor/target/bench/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$work"

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
bench_java io.ftvm.bench.FtOverheadBench \
  --qemu "$FTVM_QEMU" --test-vm "$FTVM_TESTVM" --work-dir "$work" "$@"
status=$?
set -e
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$work/environment.txt" >&2
log "results: $work/results.json, $work/results.txt"
exit $status
