#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""hastate.py: read a call's relay state as umedge writes it to Redis
(bencode, docs/ha.md "Key schema") from stdin.

  hastate.py locked   exit 0 if every side's latch is locked (state 2)
  hastate.py show     print: v id answered, then per side
                      "iface sdp latched state"
"""
import sys


def dec(b, i=0):
    c = b[i:i + 1]
    if c == b"i":
        j = b.index(b"e", i)
        return int(b[i + 1:j]), j + 1
    if c in (b"l", b"d"):
        i += 1
        out = [] if c == b"l" else {}
        while b[i:i + 1] != b"e":
            if c == b"l":
                v, i = dec(b, i)
                out.append(v)
            else:
                k, i = dec(b, i)
                v, i = dec(b, i)
                out[k.decode()] = v
        return out, i + 1
    j = b.index(b":", i)
    n = int(b[i:j])
    return b[j + 1:j + 1 + n], j + 1 + n


def main():
    raw = sys.stdin.buffer.read().rstrip(b"\n")
    if not raw:
        sys.exit(2)
    d, used = dec(raw)
    if used != len(raw):
        sys.exit("trailing bytes: %d of %d used" % (used, len(raw)))
    sides = [s for st in d["streams"] for s in st["sides"]]
    if sys.argv[1] == "locked":
        sys.exit(0 if sides and all(s["latch"]["state"] == 2
                                    for s in sides) else 1)
    print(d["v"], d["id"].decode(), d["answered"],
          " ".join("%s %s %s %s" % (s["iface"].decode(), s["sdp"].decode(),
                                    s["latch"]["addr"].decode(),
                                    s["latch"]["state"]) for s in sides))


if __name__ == "__main__":
    main()
