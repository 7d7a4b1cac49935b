#!/usr/bin/env python3
"""The test VM's `cpu` (or any) workload under one QEMU configuration, measured from its console.

Runs qemu-system-x86_64 directly (no supervisor, no network namespaces: user-mode networking),
the way QemuCommandLine shapes it, and reports guest work per wall-clock second: the `cpu`
workload prints `FTVM cpu rounds=R` once per guest second, so rounds/s = (R_last - R_first) /
(t_last - t_first) over the lines seen after --warmup seconds of the workload.

  cpurate.py --mode plain   --seconds 20            # plain TCG
  cpurate.py --mode icount  --icount shift=auto     # -icount without record/replay
  cpurate.py --mode record  --log /tmp/r.bin        # record to a regular file
  cpurate.py --mode replay  --log /tmp/r.bin        # replay it (goes live at its end, stops)
  cpurate.py ... --perf 20  # perf record -g the QEMU process for 20 s, write perf.data in --dir

Record prints the icount at its end (QMP query-replay after stop); replay prints the icount at
which it went live; with --compare-console the replayed console must equal the recorded one up
to the recorded length. Prints one JSON object on stdout. Run under `flock /tmp/ftvm-vm.lock`.
"""
import argparse, json, os, re, shutil, signal, socket, subprocess, sys, tempfile, threading, time

ROUNDS = re.compile(rb"FTVM cpu rounds=(\d+)")
LIVE = re.compile(rb"events replayed (\d+), icount (\d+)")


def qmp(path, *commands):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    f = s.makefile("rwb")
    f.readline()
    out = []
    for cmd in [{"execute": "qmp_capabilities"}] + [{"execute": c} if isinstance(c, str) else c for c in commands]:
        f.write(json.dumps(cmd).encode() + b"\n")
        f.flush()
        while True:
            line = json.loads(f.readline())
            if "return" in line or "error" in line:
                out.append(line)
                break
    s.close()
    return out[1:]


def setup_env():
    """FTVM_QEMU and FTVM_TESTVM from scripts/setup.sh's cache file when not in the environment."""
    env = {}
    path = os.path.expanduser("~/.cache/ftvm/env")
    if os.path.exists(path):
        for line in open(path):
            if "=" in line:
                k, v = line.strip().split("=", 1)
                env[k] = v
    return lambda key: os.environ.get(key) or env.get(key)


def main():
    getenv = setup_env()
    p = argparse.ArgumentParser()
    p.add_argument("--qemu", default=getenv("FTVM_QEMU"))
    p.add_argument("--testvm", default=getenv("FTVM_TESTVM"))
    p.add_argument("--mode", choices=["plain", "icount", "record", "replay"], required=True)
    p.add_argument("--icount", default="shift=auto", help="-icount options before rr=...")
    p.add_argument("--workload", default="cpu")
    p.add_argument("--seconds", type=float, default=20, help="measured window (record/plain/icount)")
    p.add_argument("--warmup", type=float, default=3, help="seconds after the workload started")
    p.add_argument("--log", help="rrfile for record/replay")
    p.add_argument("--dir", help="work directory (console, disk copy, qemu log)")
    p.add_argument("--perf", type=float, default=0, help="perf record -g for this many seconds")
    p.add_argument("--perf-args", default="-g")
    p.add_argument("--compare-console", help="recorded console to compare the replay with")
    p.add_argument("--timeout", type=float, default=300)
    p.add_argument("--snapshot-log", action="store_true",
                   help="record: copy the log at the window's start and end (log-t0.bin, log-t1.bin)")
    p.add_argument("--extra", default="", help="extra QEMU args (space separated)")
    a = p.parse_args()
    vm = json.load(open(os.path.join(a.testvm, "vm.json")))
    work = a.dir or tempfile.mkdtemp(prefix="ftvm-cpurate-")
    os.makedirs(work, exist_ok=True)
    disk = os.path.join(work, "disk.img")
    shutil.copyfile(os.path.join(a.testvm, vm["disk"]["file"]), disk)
    console = os.path.join(work, f"console-{a.mode}.log")
    qmp_path = os.path.join(work, f"qmp-{a.mode}.sock")
    cmd = [a.qemu, "-machine", "pc", "-cpu", "qemu64", "-m", "256", "-nodefaults", "-no-user-config",
           "-display", "none", "-vga", "none", "-qmp", f"unix:{qmp_path},server=on,wait=off",
           "-kernel", os.path.join(a.testvm, "vmlinuz"), "-initrd", os.path.join(a.testvm, "initrd.img"),
           "-append", f"{vm['cmdline']} ftvm.workload={a.workload}",
           "-drive", f"file={disk},format=raw,if=none,id=d0",
           "-drive", "driver=blkreplay,if=none,image=d0,id=d0r", "-device", "virtio-blk-pci,drive=d0r",
           "-netdev", "user,id=n0,net=10.77.0.0/24,host=10.77.0.2",
           "-device", "virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56",
           "-chardev", "stdio,id=con0,signal=off", "-serial", "chardev:con0"]
    if a.mode != "plain":
        cmd += ["-object", "filter-replay,id=fr0,netdev=n0"]
    if a.mode == "icount":
        cmd += ["-icount", a.icount]
    elif a.mode in ("record", "replay"):
        rr = f"{a.icount},rr={a.mode},rrfile={a.log}" + (",rrgolive=on" if a.mode == "replay" else "")
        cmd += ["-icount", rr]
    cmd += a.extra.split()
    qlog = open(os.path.join(work, f"qemu-{a.mode}.log"), "wb")
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=qlog)
    start = time.monotonic()
    samples, went_live, lines = [], [], []
    con = open(console, "wb")

    def reader():
        for line in proc.stdout:
            t = time.monotonic()
            con.write(line)
            con.flush()
            lines.append(line)
            m = ROUNDS.search(line)
            if m:
                samples.append((t, int(m.group(1))))
    th = threading.Thread(target=reader, daemon=True)
    th.start()
    result = {"mode": a.mode, "icount": a.icount if a.mode != "plain" else None, "workload": a.workload,
              "qemu": a.qemu, "work": work, "pid": proc.pid}
    perf_proc = None
    try:
        if a.mode == "replay":
            # Replay runs until its log ends, then goes live: watch stderr for the live line.
            while time.monotonic() - start < a.timeout and proc.poll() is None:
                txt = open(os.path.join(work, f"qemu-{a.mode}.log"), "rb").read()
                m = LIVE.search(txt)
                if m:
                    went_live = [int(m.group(1)), int(m.group(2))]
                    break
                if a.perf and perf_proc is None and samples and time.monotonic() - samples[0][0] > a.warmup:
                    perf_proc = subprocess.Popen(["perf", "record", *a.perf_args.split(), "-o",
                                                  os.path.join(work, "perf-replay.data"), "-p", str(proc.pid),
                                                  "--", "sleep", str(a.perf)], stdout=subprocess.DEVNULL,
                                                 stderr=subprocess.DEVNULL)
                time.sleep(0.05)
            t_live = time.monotonic()
            m = LIVE.search(open(os.path.join(work, f"qemu-{a.mode}.log"), "rb").read())
            if m:
                went_live = [int(m.group(1)), int(m.group(2))]
            proc.terminate()
            result["replay_events"], result["final_icount"] = went_live or [None, None]
            result["replay_wall_s"] = round(t_live - start, 2)
            win = [s for s in samples if s[0] <= t_live]
            if win:
                t0 = win[0][0] + a.warmup
                win = [s for s in win if s[0] >= t0]
        else:
            while time.monotonic() - start < a.timeout and not samples and proc.poll() is None:
                time.sleep(0.05)
            if a.workload != "cpu":
                while time.monotonic() - start < a.timeout and not any(b"FTVM ready" in l for l in lines):
                    time.sleep(0.05)
            t_work = time.monotonic()
            time.sleep(a.warmup)
            log_size0 = os.path.getsize(a.log) if a.log and a.mode == "record" else None
            t0 = time.monotonic()
            if a.snapshot_log:
                shutil.copyfile(a.log, os.path.join(work, "log-t0.bin"))
            if a.perf:
                perf_proc = subprocess.Popen(["perf", "record", *a.perf_args.split(), "-o",
                                              os.path.join(work, f"perf-{a.mode}.data"), "-p", str(proc.pid),
                                              "--", "sleep", str(a.perf)], stdout=subprocess.DEVNULL,
                                             stderr=subprocess.DEVNULL)
            cpu0 = cpu_ticks(proc.pid)
            time.sleep(a.seconds)
            t1 = time.monotonic()
            cpu1 = cpu_ticks(proc.pid)
            if a.snapshot_log:
                shutil.copyfile(a.log, os.path.join(work, "log-t1.bin"))
            result["qemu_cpu_pct"] = round(100 * (cpu1 - cpu0) / os.sysconf("SC_CLK_TCK") / (t1 - t0), 1)
            if log_size0 is not None:
                result["log_bytes_per_s"] = round((os.path.getsize(a.log) - log_size0) / (t1 - t0))
            win = [s for s in samples if t0 <= s[0] <= t1]
            if a.mode == "record":
                r = qmp(qmp_path, "stop", "query-replay")
                result["final_icount"] = r[1]["return"].get("icount")
                qmp(qmp_path, "quit")
            else:
                proc.terminate()
        if perf_proc:
            perf_proc.wait()
        if len(win) >= 2:
            result["rounds_per_s"] = round((win[-1][1] - win[0][1]) / (win[-1][0] - win[0][0]), 1)
            result["window_s"] = round(win[-1][0] - win[0][0], 1)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        th.join(timeout=5)
        con.close()
    result["console_lines"] = len(lines)
    if a.compare_console:
        rec = open(a.compare_console, "rb").read().splitlines(keepends=True)
        rep = lines[:len(rec)]
        # The record's last line may be cut by the quit; compare whole lines both have.
        n = len(rec) - 1
        result["console_equal"] = rec[:n] == rep[:n]
        result["console_compared_lines"] = n
    print(json.dumps(result))


def cpu_ticks(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])


if __name__ == "__main__":
    main()
