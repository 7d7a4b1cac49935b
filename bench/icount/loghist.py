#!/usr/bin/env python3
"""Event histogram of a QEMU 10.0 replay log (format: replay/README.md), optionally only of the
events that start at or after a byte offset (e.g. the size of an earlier snapshot of the same
log, as cpurate.py --snapshot-log writes), per second of a given window. Tolerates a log cut
inside its last event (a snapshot of a running recording).

  loghist.py LOG [--from-offset N | --from-file EARLIER_SNAPSHOT] [--seconds S]
"""
import argparse, os, struct, sys

NAMES = {0x00: "INSTRUCTION", 0x01: "INTERRUPT", 0x02: "EXCEPTION", 0x03: "ASYNC_BH",
         0x04: "ASYNC_BH_ONESHOT", 0x05: "ASYNC_INPUT", 0x06: "ASYNC_INPUT_SYNC",
         0x07: "ASYNC_CHAR_READ", 0x08: "ASYNC_BLOCK", 0x09: "ASYNC_NET", 0x16: "CHAR_WRITE",
         0x17: "CHAR_READ_ALL", 0x18: "CHAR_READ_ALL_ERROR", 0x19: "AUDIO_OUT", 0x1b: "RANDOM",
         0x1c: "CLOCK_HOST", 0x1d: "CLOCK_VIRTUAL_RT", 0x1e: "CP_CLOCK_WARP_START",
         0x1f: "CP_CLOCK_WARP_ACCOUNT", 0x20: "CP_RESET_REQUESTED", 0x21: "CP_SUSPEND_REQUESTED",
         0x22: "CP_CLOCK_VIRTUAL", 0x23: "CP_CLOCK_HOST", 0x24: "CP_CLOCK_VIRTUAL_RT",
         0x25: "CP_INIT", 0x26: "CP_RESET", 0x27: "END"}


def payload(buf, i, code):
    """Size of the payload of the event whose code byte is at i-1, starting at i."""
    if code == 0x00 or code == 0x18:
        return 4
    if code in (0x03, 0x04, 0x08, 0x19, 0x1c, 0x1d):
        return 8
    if code == 0x07:
        return 1 + 4 + struct.unpack_from(">I", buf, i + 1)[0]
    if code == 0x09:
        return 1 + 4 + 4 + struct.unpack_from(">I", buf, i + 5)[0]
    if code == 0x16:
        return 8
    if code == 0x17:
        return 4 + struct.unpack_from(">I", buf, i)[0]
    if code == 0x1b:
        return 4 + 4 + struct.unpack_from(">I", buf, i + 4)[0]
    if code in (0x01, 0x02, 0x06) or 0x0a <= code <= 0x15 or 0x1e <= code <= 0x27:
        return 0
    raise ValueError(f"event 0x{code:02x} at {i - 1}: not handled here")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("log")
    p.add_argument("--from-offset", type=int, default=0)
    p.add_argument("--from-file")
    p.add_argument("--seconds", type=float)
    a = p.parse_args()
    start = os.path.getsize(a.from_file) if a.from_file else a.from_offset
    buf = open(a.log, "rb").read()
    i, n = 12, len(buf)
    counts, sizes = {}, {}
    try:
        while i < n:
            code = buf[i]
            size = 1 + payload(buf, i + 1, code)
            if i + size > n:
                break
            if i >= start:
                counts[code] = counts.get(code, 0) + 1
                sizes[code] = sizes.get(code, 0) + size
            i += size
    except struct.error:
        pass
    s = a.seconds or 1
    unit = "/s" if a.seconds else ""
    tc, tb = sum(counts.values()), sum(sizes.values())
    for code in sorted(counts, key=lambda c: -sizes[c]):
        print(f"0x{code:02x} {NAMES.get(code, '?'):24s} {counts[code] / s:12.1f} ev{unit} "
              f"{sizes[code] / s:12.1f} B{unit} {100 * sizes[code] / max(tb, 1):5.1f}%")
    print(f"total {'':23s} {tc / s:12.1f} ev{unit} {tb / s:12.1f} B{unit}")


if __name__ == "__main__":
    main()
