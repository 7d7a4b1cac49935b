#!/usr/bin/env bash
# Go-live claim latency, shared directory vs a 3-member ZooKeeper ensemble, side by side in one
# run (docs/benchmarks.md, "Arbiter claim latency"). Boots no VM. Needs root (network namespaces)
# and Debian's zookeeper package (scripts/setup.sh installs it).
#
#   bench/arbiter.sh                        # 50 warm-up + 500 claims per backend
#   bench/arbiter.sh --claims 2000
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_prepare bench/arbiter.sh

work=${FTVM_BENCH_DIR:-/tmp/ftvm-arbiter-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$work"
{
  echo "date:     $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host:     $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
  echo "disk:     $(df -h --output=source,fstype "$work" | tail -1)"
  echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min, before the run)"
  echo "command:  bench/arbiter.sh $*"
} | tee "$work/environment.txt" >&2
log "work directory $work"
bench_java io.ftvm.bench.ArbiterLatencyBench --work-dir "$work" "$@" | tee "$work/results.txt"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$work/environment.txt" >&2
