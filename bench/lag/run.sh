#!/usr/bin/env bash
# Issue 7 lag-bound measurement: one round = start a pair, sample both nodes' status every
# 200 ms for SECONDS (replay lag, acks, throttling, the guest's cpu-workload progress on the
# primary's console), kill -9 every process of host A, time kill -> backup PRIMARY_ALONE, stop.
#
#   flock /tmp/ftvm-vm.lock bench/lag/run.sh STATE_DIR WORKLOAD SECONDS [ftvm start options]
#   bench/lag/analyze.py STATE_DIR...     # lag p50/p99, primary rounds/s, kill -> live
#
# Run it under the VM lock: nothing else may boot a VM meanwhile, or the figures mean nothing.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
ftvm="$here/../../ftvm"
state=$1 workload=$2 seconds=$3
shift 3
rm -rf "$state"
mkdir -p "$state"
started=$(date +%s.%N)
"$ftvm" start --pair --workload "$workload" --state-dir "$state" "$@" >"$state/start.out" 2>&1
echo "start rc=$? took $(echo "$(date +%s.%N) - $started" | bc)" >>"$state/start.out"
python3 "$here/sample_status.py" "$state" "$seconds" "$state/status.samples"
python3 "$here/kill_host_a.py" "$state" >>"$state/kill.out"
sleep 1
"$ftvm" stop --state-dir "$state" >"$state/stop.out" 2>&1
