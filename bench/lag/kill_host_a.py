# Kills every process of host A (kill -9) and times it until the backup is PRIMARY_ALONE.
import json, os, signal, subprocess, sys, time
state = sys.argv[1]
d = json.load(open(f"{state}/local-pair.json"))
ns = d["namespaces"]
names = ns if isinstance(ns, list) else list(ns.values())
host_a = [n for n in names if n.endswith("-a")][0]
pids = [int(p) for p in subprocess.check_output(["ip", "netns", "pids", host_a]).split()]
tk = time.monotonic()
for p in pids:
    try: os.kill(p, signal.SIGKILL)
    except ProcessLookupError: pass
res = "timeout"
while time.monotonic() - tk < 60:
    try: role = open(f"{state}/b/role").read()
    except OSError: role = ""
    if role.startswith("PRIMARY_ALONE"): res = "live"; break
    if role.startswith("HALTED"): res = "halted"; break
    time.sleep(0.002)
live_ms = round((time.monotonic()-tk)*1000)
import socket
def q(node):
    try:
        c = socket.socket(socket.AF_UNIX); c.settimeout(2)
        c.connect(f"{state}/{node}/control.sock")
        c.sendall(b'{"command":"status"}\n')
        buf = b""
        while not buf.endswith(b"\n"):
            x = c.recv(65536)
            if not x: break
            buf += x
        return json.loads(buf).get("status") or {}
    except Exception as e:
        return {"error": str(e)}
b = q("b")
print(json.dumps({"peerLostToLiveMillis": b.get("peerLostToLiveMillis"), "killed": pids, "ns": host_a, "result": res, "kill_to_live_ms": live_ms, "role": role.strip()}))
