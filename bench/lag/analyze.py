# Summarises bench/lag/run.sh rounds: replay lag p50/p99, primary cpu rounds/s, kill -> live.
import json, sys, glob, re, statistics
def pct(v, p):
    v = sorted(v); return v[min(len(v)-1, int(len(v)*p/100))] if v else None
for d in sys.argv[1:]:
    try:
        rows = [json.loads(l) for l in open(f"{d}/status.samples")]
    except OSError:
        print(d, "no samples"); continue
    prot = [r for r in rows if (r.get("a") or {}).get("role") == "PRIMARY_PROTECTED" and (r.get("b") or {}).get("role") == "BACKUP_REPLAYING"]
    lags = [r["b"]["replayLagMillis"] for r in prot]
    ra = [(r["t"], r["ra"]) for r in rows if r.get("ra") is not None and r in prot]
    rate = (ra[-1][1]-ra[0][1])/(ra[-1][0]-ra[0][0]) if len(ra) > 1 and ra[-1][0] > ra[0][0] else None
    thr = sum(1 for r in prot if r["a"].get("throttled")) / max(1, len(prot))
    start = open(f"{d}/start.out").read()
    catching = len(re.findall("catching up", start))
    took = re.search(r"took ([\d.]+)", start)
    kill = open(f"{d}/kill.out").read().strip() if glob.glob(f"{d}/kill.out") else ""
    k = json.loads(kill.splitlines()[-1]) if kill else {}
    cut = ""
    try:
        for l in open(f"{d}/b/supervisor.log"):
            if "go-live cut" in l: cut = l.strip()[:200]
    except OSError: pass
    hold = [r["a"].get("outputHoldP99Micros") for r in prot]
    print(f"{d}: samples {len(rows)} protected {len(prot)} lag p50 {pct(lags,50)} p99 {pct(lags,99)} max {max(lags) if lags else None} ms; "
          f"primary rounds/s {rate and round(rate,1)}; throttled {thr:.0%}; catching-up lines {catching}; start took {took and took.group(1)} s; "
          f"kill: {k.get('result')} kill->live {k.get('kill_to_live_ms')} ms peerLost->live {k.get('peerLostToLiveMillis')} ms")
    if cut: print("   ", cut)
