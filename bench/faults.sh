#!/usr/bin/env bash
# The fault campaign (issue 7, docs/reliability.md): N rounds, each one protected pair of the test
# VM with a client reading the guest's counter stream over ONE TCP connection, one fault, and a
# checker that decides the round against the invariants (exactly one live node within the bound,
# one go-live record per epoch, the loser fenced, the stream without gap/duplicate/reset, nothing
# leaked). Prints a line per round as it ends, a table per fault type, and last "N passed, M
# failed"; exits 1 if any round failed. Needs root (network namespaces, TAP devices, mounts).
#
#   bench/faults.sh --rounds 10 --seed 1                 # every fault type, in a seeded order
#   bench/faults.sh --rounds 6 --faults none,kill-host-a
#   bench/faults.sh --rounds 6 --pair-supply reprotect    # one long-lived pair, re-protected
#   bench/faults.sh --help                               # every option (bounds, workload, ...)
#   bench/faults.sh ... --qemu /path/qemu-system-x86_64   # another QEMU than setup.sh's
#
# Each round takes /tmp/ftvm-vm.lock (flock) while it runs, so other VM experiments on this
# machine run between rounds, never beside one (--vm-lock none to skip). Work directory:
# $FTVM_FAULTS_DIR or /tmp/ftvm-faults-<time> (short: the nodes' Unix sockets live there); failed
# rounds keep everything, passed rounds keep their logs but not disks and log stores. The
# campaign's own log goes to campaign.log there.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_prepare bench/faults.sh
# A --qemu/--test-vm given here wins over setup.sh's (the campaign takes the last one).
args=("$@")
for ((i = 0; i + 1 < ${#args[@]}; i++)); do
  case "${args[i]}" in
    --qemu) FTVM_QEMU=${args[i + 1]} ;;
    --test-vm) FTVM_TESTVM=${args[i + 1]} ;;
  esac
done

work=${FTVM_FAULTS_DIR:-/tmp/ftvm-faults-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$work"
{
  echo "date:     $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host:     $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
  echo "commit:   $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "qemu:     $FTVM_QEMU"
  echo "test VM:  $FTVM_TESTVM"
  echo "command:  bench/faults.sh $*"
} > "$work/environment.txt"
log "work directory $work (campaign log: $work/campaign.log)"
set +e
bench_java io.ftvm.faults.FaultCampaign \
  --qemu "$FTVM_QEMU" --test-vm "$FTVM_TESTVM" --work-dir "$work" "$@" 2>>"$work/campaign.log"
status=$?
set -e
exit $status
