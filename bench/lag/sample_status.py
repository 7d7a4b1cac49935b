# Samples both nodes of a pair over their control sockets: STATE SECONDS OUT (JSON lines).
import json, socket, sys, time
state, secs, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
def q(node):
    try:
        s = socket.socket(socket.AF_UNIX); s.settimeout(2)
        s.connect(f"{state}/{node}/control.sock")
        s.sendall(b'{"command":"status"}\n')
        buf = b""
        while not buf.endswith(b"\n"):
            c = s.recv(65536)
            if not c: break
            buf += c
        s.close()
        return json.loads(buf).get("status")
    except Exception as e:
        return {"error": str(e)}
import re, os
def rounds(node):
    try:
        with open(f"{state}/{node}/console.log", "rb") as c:
            c.seek(max(0, os.path.getsize(f"{state}/{node}/console.log") - 4096))
            m = re.findall(rb"FTVM cpu rounds=(\d+)", c.read())
            return int(m[-1]) if m else None
    except OSError:
        return None
end = time.time() + secs
with open(out, "a") as f:
    while time.time() < end:
        f.write(json.dumps({"t": time.time(), "a": q("a"), "b": q("b"), "ra": rounds("a"), "rb": rounds("b")}) + "\n"); f.flush()
        time.sleep(0.2)
