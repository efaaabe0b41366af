# SPDX-License-Identifier: BSD-3-Clause
"""atkraw.py: forged-source UDP over IPv4 for umedge's attack tools
(atkstun.py spoof, atksip.py spoof). Standard library only.

Sources are only ever taken from the documentation ranges 192.0.2.0/24,
198.51.100.0/24 and 203.0.113.0/24; the rate is at most 10000
datagrams a second and a run at most 15 s.
"""
import socket
import struct
import sys
import time

DOC_NETS = ("192.0.2.", "198.51.100.", "203.0.113.")
RATE_MAX, SECONDS_MAX, SOURCES_MAX = 10000, 15.0, 65536


def addresses(spec):
    """the addresses of "A.B.C.LO-HI[,A.B.C.LO-HI...]" (or single
    addresses), all in the documentation ranges"""
    out = []
    for part in spec.split(","):
        head, last = part.rsplit(".", 1)
        lo, _, hi = last.partition("-")
        lo, hi = int(lo), int(hi or lo)
        if head + "." not in DOC_NETS or not 1 <= lo <= hi <= 254:
            sys.exit("spoof: %s: only hosts 1-254 of 192.0.2.0/24, "
                     "198.51.100.0/24 and 203.0.113.0/24" % part)
        out += ["%s.%d" % (head, h) for h in range(lo, hi + 1)]
    return out


def sources(spec, count):
    """count source transport addresses over the addresses of spec:
    each address in turn, a new port on each round"""
    ips = addresses(spec)
    count = min(count, SOURCES_MAX)
    return [(ips[k % len(ips)], 1024 + k // len(ips))
            for k in range(count)], len(ips)


def udp(src, dst, payload):
    """an IPv4 header (the kernel fills in its checksum) and a UDP one
    (checksum 0: none, RFC 768) from src to dst, (IP, port) each"""
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28 + len(payload), 0, 0,
                     64, 17, 0, socket.inet_aton(src[0]),
                     socket.inet_aton(dst[0]))
    return ip + struct.pack("!HHHH", src[1], dst[1], 8 + len(payload),
                            0) + payload


def flood(dst, make, rate, seconds):
    """make(i) datagrams sent over a raw socket (IP_HDRINCL) to dst,
    paced at rate for seconds (both bounded); (sent, not sent, elapsed)"""
    rate = max(1, min(rate, RATE_MAX))
    total = int(rate * min(seconds, SECONDS_MAX))
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    sent = failed = 0
    t0 = time.monotonic()
    for i in range(total):
        if i % 20 == 0:
            ahead = t0 + i / rate - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
        try:
            s.sendto(make(i), (dst[0], 0))
            sent += 1
        except OSError:
            failed += 1
    s.close()
    return sent, failed, max(time.monotonic() - t0, 1e-3)
