#!/usr/bin/env bash
# What fault tolerance costs, measured side by side in one run (docs/benchmarks.md):
#   plain   the test VM under QEMU TCG, no -icount, no record/replay
#   icount  the same with -icount shift=auto,rrlater=on (a protectable VM, no log): icount's cost
#   record  the same with -icount shift=auto,rr=record to a regular file, no backup
#   ft      the protected pair (ftvm start --pair: primary records and streams, backup follows)
# Same guest, same client on the client host, same time per configuration once the guest is
# ready: echo and kv over the network, then the guest's CPU (hash rounds/s) and disk (4 KiB
# sequential/random write with fdatasync and read, MB/s and IOPS) timed by the wall clock.
# Prints a table with the ratios; writes results.json and results.txt to the work directory.
# Needs root (network namespaces, TAP devices).
#
#   bench/run.sh                       # all four: 15 s echo + 15 s kv + 10 s cpu + 4 x 5 s disk
#   bench/run.sh --seconds 10 --cpu-seconds 8 --disk-seconds 4   # ~5 min in total
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
