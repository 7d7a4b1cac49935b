#!/usr/bin/env bash
# CPU-workload ratios of one QEMU binary: plain TCG, -icount without record/replay, record, and the
# replay of that recording (bit-identity checked: console and final icount equal).
#   bench/icount/ratios.sh OUTDIR [QEMU] [ICOUNT_OPTS] [SECONDS] [--perf]
# Takes the VM lock for the whole sequence (~2-3 min). Prints one line per mode and the ratios.
set -euo pipefail
out=$1 qemu=${2:-} opts=${3:-shift=auto} secs=${4:-20} perf=${5:-}
here=$(cd "$(dirname "$0")" && pwd)
eval "$(sed 's/^/export /' ~/.cache/ftvm/env)"
qemu=${qemu:-$FTVM_QEMU}
mkdir -p "$out"
perfarg=()
[ "$perf" = --perf ] && perfarg=(--perf "$secs")
flock /tmp/ftvm-vm.lock bash -c '
  set -e
  echo "start $(date -u +%FT%TZ) load $(cut -d" " -f1-3 /proc/loadavg) other qemus: $(pgrep -c -f "^[^ ]*qemu-system-x86_64 " || true)" 
  for m in plain icount record; do
    '"$here"'/cpurate.py --qemu '"$qemu"' --mode $m --icount '"$opts"' --seconds '"$secs"' --log '"$out"'/rec.bin --dir '"$out"' '"${perfarg[*]}"' > '"$out"'/$m.json
    cat '"$out"'/$m.json
  done
  '"$here"'/cpurate.py --qemu '"$qemu"' --mode replay --icount '"$opts"' --log '"$out"'/rec.bin --dir '"$out"' --compare-console '"$out"'/console-record.log '"${perfarg[*]}"' > '"$out"'/replay.json
  cat '"$out"'/replay.json
  echo "end $(date -u +%FT%TZ) load $(cut -d" " -f1-3 /proc/loadavg)"
' | tee "$out/run.log"
python3 - "$out" <<'PY'
import json, sys
d = sys.argv[1]
r = {m: json.load(open(f"{d}/{m}.json")) for m in ("plain", "icount", "record", "replay")}
g = lambda m: r[m].get("rounds_per_s") or float("nan")
print(f"rounds/s plain {g('plain')} icount {g('icount')} record {g('record')} replay {g('replay')}")
print(f"icount/plain {g('icount')/g('plain'):.3f} record/plain {g('record')/g('plain'):.3f} "
      f"replay/record {g('replay')/g('record'):.3f}")
print(f"replay exact: console_equal={r['replay'].get('console_equal')} "
      f"icount record={r['record'].get('final_icount')} replay={r['replay'].get('final_icount')} "
      f"equal={r['record'].get('final_icount') == r['replay'].get('final_icount')}")
PY
