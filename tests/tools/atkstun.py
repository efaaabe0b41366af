#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""atkstun.py: craft STUN/TURN messages for umedge's attack tests.

Standard library only. Messages are lists of attributes in any order;
the pseudo attributes MI and FP compute MESSAGE-INTEGRITY (long-term
key from a TURN REST credential) and FINGERPRINT over what precedes
them, wherever they are put, so anything may follow them. Sends over
UDP or TCP, whole, cut short or trickled; or, for spoof, over a raw
socket from forged IPv4 sources.

Each subcommand runs one attack scenario (outlive: a client's
allocation across a failover, tests/integration/ha-turn.test) and prints one line per step,
"STEP CODE [detail]" (CODE: 0 success, an error code, or "none" for no
answer), for the calling test to check. Every loop is bounded.
"""
import argparse
import base64
import hashlib
import hmac
import os
import socket
import struct
import subprocess
import sys
import time
import zlib

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
import atkraw  # noqa: E402

COOKIE = 0x2112A442
ALLOCATE, REFRESH, SEND, CREATEPERM, CHANBIND, BINDING = 3, 4, 6, 8, 9, 1
USERNAME, MI, ERRCODE, REALM, NONCE = 0x0006, 0x0008, 0x0009, 0x0014, 0x0015
LIFETIME, XPEER, DATA, XRELAY = 0x000D, 0x0012, 0x0013, 0x0016
CHANNEL, REQTRANSPORT, EVENPORT, RSVTOKEN = 0x000C, 0x0019, 0x0018, 0x0022
SOFTWARE, FP = 0x8022, 0x8028


def attr(t, v):
    """one attribute, padded to 4 bytes"""
    return struct.pack("!HH", t, len(v)) + v + b"\0" * (-len(v) % 4)


def xaddr(ip, port):
    """an XOR-PEER-ADDRESS value, IPv4 or IPv6: a function of the
    transaction ID, which build() calls"""
    if ":" in ip:
        a = socket.inet_pton(socket.AF_INET6, ip)
        return lambda tid: struct.pack("!BBH", 0, 2, port ^ (COOKIE >> 16)) \
            + bytes(p ^ q for p, q in zip(a, struct.pack("!I", COOKIE)
                                           + tid))
    a = struct.unpack("!I", socket.inet_aton(ip))[0]
    return lambda tid: struct.pack("!BBHI", 0, 1, port ^ (COOKIE >> 16),
                                   a ^ COOKIE)


def forms(v4):
    """an IPv4 address and the IPv6 forms that embed it"""
    b = socket.inet_aton(v4)
    h = "%02x%02x:%02x%02x" % tuple(b)
    t = "%02x%02x:%02x%02x" % tuple(x ^ 0xFF for x in b)
    return [("v4", v4), ("mapped", "::ffff:" + h),
            ("compatible", "::" + h), ("nat64", "64:ff9b::" + h),
            ("nat64-local", "64:ff9b:1::" + h),
            ("nat64-operator", "2001:db8:64::" + h),
            ("6to4", "2002:%s::1" % h), ("siit", "::ffff:0:" + h),
            ("teredo", "2001:0:c633:640a:8000:ffff:" + t),
            ("isatap", "2001:db8:1::5efe:" + h)]


class Cred:
    """a TURN REST credential and its long-term key"""

    def __init__(self, secret, user, realm, ttl=600):
        self.user = "%d:%s" % (int(time.time()) + ttl, user)
        pw = base64.b64encode(hmac.new(secret.encode(), self.user.encode(),
                                       hashlib.sha1).digest())
        self.realm = realm
        self.key = hashlib.md5(("%s:%s:%s" % (self.user, realm,
                                              pw.decode())).encode()).digest()
        self.nonce = b""


def build(method, items, key=None, cls=0, tid=None):
    """a message from items: (type, value) pairs, "MI" or "FP" """
    tid = tid or os.urandom(12)
    mtype = (method & 0xF) | ((method & 0x70) << 1) | \
        ((method & 0xF80) << 2) | ((cls & 1) << 4) | ((cls & 2) << 7)
    body = b""
    for it in items:
        if it == "MI":
            hdr = struct.pack("!HHI", mtype, len(body) + 24, COOKIE) + tid
            body += attr(MI, hmac.new(key, hdr + body,
                                      hashlib.sha1).digest())
        elif it == "FP" or it == "BADFP":
            hdr = struct.pack("!HHI", mtype, len(body) + 8, COOKIE) + tid
            crc = (zlib.crc32(hdr + body) ^ 0x5354554E) & 0xFFFFFFFF
            if it == "BADFP":
                crc ^= 1
            body += attr(FP, struct.pack("!I", crc))
        else:
            v = it[1](tid) if callable(it[1]) else it[1]
            body += attr(it[0], v)
    return struct.pack("!HHI", mtype, len(body), COOKIE) + tid + body


def parse(msg):
    """(class, code, attributes dict of first values) of a response"""
    if len(msg) < 20:
        return None
    mtype, = struct.unpack("!H", msg[:2])
    cls = ((mtype >> 4) & 1) | ((mtype >> 7) & 2)
    attrs, off = {}, 20
    while off + 4 <= len(msg):
        t, n = struct.unpack("!HH", msg[off:off + 4])
        attrs.setdefault(t, msg[off + 4:off + 4 + n])
        off += 4 + n + (-n % 4)
    code = 0
    if cls == 3 and ERRCODE in attrs:
        e = attrs[ERRCODE]
        code = (e[2] & 7) * 100 + e[3]
    return cls, code, attrs


class Client:
    """one 5-tuple to the server, UDP or TCP"""

    def __init__(self, server, tcp=False, src=None, timeout=2.0):
        host, port = server.rsplit(":", 1)
        self.addr = (host, int(port))
        self.tcp = tcp
        self.s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if tcp
                               else socket.SOCK_DGRAM)
        self.s.settimeout(timeout)
        if src:
            self.s.bind((src, 0))
        if tcp:
            self.s.connect(self.addr)

    def send(self, data):
        if self.tcp:
            self.s.sendall(data)
        else:
            self.s.sendto(data, self.addr)

    def recv(self):
        """one message, or None on timeout or close"""
        try:
            if not self.tcp:
                return self.s.recvfrom(65536)[0]
            hdr = self._read(20)
            if not hdr:
                return None
            return hdr + self._read(struct.unpack("!H", hdr[2:4])[0])
        except (socket.timeout, ConnectionError):
            return None

    def _read(self, n):
        b = b""
        while len(b) < n:
            c = self.s.recv(n - len(b))
            if not c:
                return None
            b += c
        return b

    def ask(self, data):
        """send, and the code of the answer to it ("none" if none);
        indications (Data from a peer) and stale answers are skipped"""
        self.send(data)
        for _ in range(64):
            r = self.recv()
            if not r:
                break
            p = parse(r)
            if p and p[0] >= 2 and r[8:20] == data[8:20]:
                return p[1], p[2]
        return "none", {}

    def close(self):
        self.s.close()


def auth(cred, extra=()):
    """the long-term items: USERNAME, REALM, NONCE, extras, MI"""
    return [(USERNAME, cred.user.encode()), (REALM, cred.realm.encode()),
            (NONCE, cred.nonce)] + list(extra) + ["MI"]


def login(c, cred):
    """a 401 for a nonce, then an Allocate; the Allocate's code"""
    code, a = c.ask(build(ALLOCATE, [(REQTRANSPORT, b"\x11\0\0\0")]))
    if code not in (401, 438) or NONCE not in a:
        return code
    cred.nonce = a[NONCE]
    code, _ = c.ask(build(ALLOCATE, auth(cred, [(REQTRANSPORT,
                                                  b"\x11\0\0\0")]),
                          cred.key))
    return code


def ctl(cmd):
    """run a command (umedgectl) and print its output"""
    if cmd:
        out = subprocess.run(cmd, shell=True, capture_output=True,
                             text=True, timeout=10).stdout
        for line in out.splitlines():
            print("ctl: " + line)


def step(name, code, detail=""):
    print(("%s %s %s" % (name, code, detail)).rstrip(), flush=True)


def cmd_aftermi(a):
    cred = Cred(a.secret, a.user, a.realm)
    c = Client(a.server, a.tcp)
    step("allocate", login(c, cred))
    code, at = c.ask(build(REFRESH, auth(cred) + [(LIFETIME,
                                                   b"\0\0\0\0")], cred.key))
    life = struct.unpack("!I", at[LIFETIME])[0] if LIFETIME in at else -1
    step("refresh+lifetime0", code, "lifetime=%d" % life)
    code, _ = c.ask(build(CREATEPERM, auth(cred, [(XPEER, xaddr(a.peer_a,
                                                                 0))])
                          + [(XPEER, xaddr(a.peer_b, 0))], cred.key))
    step("perm(A)+B", code)
    code, _ = c.ask(build(REFRESH, ["MI", (USERNAME, cred.user.encode()),
                                    (REALM, cred.realm.encode()),
                                    (NONCE, cred.nonce)], cred.key))
    step("mi-only-credentials", code)
    code, _ = c.ask(build(REFRESH, auth(cred) + [(0x007F, b""), "FP"],
                          cred.key))
    step("refresh+unknown+fp", code)
    code, _ = c.ask(build(REFRESH, auth(cred) + ["BADFP"], cred.key))
    step("refresh+badfp", code)
    ctl(a.ctl)
    c.close()


def cmd_dupattr(a):
    cred = Cred(a.secret, a.user, a.realm)
    c = Client(a.server, a.tcp)
    step("allocate", login(c, cred))
    ok, bad = xaddr(a.peer_a, 0), xaddr(a.peer_b, 0)
    for name, peers in (("perm(A,denied)", [ok, bad]),
                        ("perm(denied,A)", [bad, ok])):
        code, _ = c.ask(build(CREATEPERM, auth(cred, [(XPEER, p)
                                                      for p in peers]),
                              cred.key))
        step(name, code)
    many = [(XPEER, xaddr(a.peer_a.rsplit(".", 1)[0] + ".%d" % (i + 20), 0))
            for i in range(130)]
    code, _ = c.ask(build(CREATEPERM, auth(cred, many), cred.key))
    step("perm(130)", code)
    ctl(a.ctl)
    code, _ = c.ask(build(CHANBIND, auth(cred, [
        (CHANNEL, b"\x40\x00\0\0"), (XPEER, xaddr(a.peer_a, 3480)),
        (XPEER, xaddr(a.peer_b, 3480))]), cred.key))
    step("chanbind(A,denied)", code)
    ctl(a.ctl)
    c.close()


FMT = [b"%n%n%n%n%s%s%s%s%x%x%x%x", b"%s" * 250, b"%n" * 200 + b"\0%n",
       b"%99999999s%p%p%p", b"\0\0\0\0%n"]


def cmd_fmt(a):
    """format strings in USERNAME, REALM, NONCE and SOFTWARE, signed,
    on the 5-tuple of an allocation (so the nonce is valid there)"""
    cred = Cred(a.secret, a.user, a.realm)
    c = Client(a.server, a.tcp)
    step("allocate", login(c, cred))
    req = [(REQTRANSPORT, b"\x11\0\0\0")]
    for i in range(a.rounds):
        for f in FMT:
            f = f[:500]
            u = (USERNAME, f)
            for name, items in (
                    ("username", [u, (REALM, cred.realm.encode()),
                                  (NONCE, cred.nonce)]),
                    ("realm", [(USERNAME, cred.user.encode()), (REALM, f),
                               (NONCE, cred.nonce)]),
                    ("nonce", [(USERNAME, cred.user.encode()),
                               (REALM, cred.realm.encode()), (NONCE, f)]),
                    ("software", [(USERNAME, cred.user.encode()),
                                  (REALM, cred.realm.encode()),
                                  (NONCE, cred.nonce), (SOFTWARE, f)])):
                code, _ = c.ask(build(ALLOCATE, items + req + ["MI"],
                                      cred.key))
                if i == 0:
                    step("fmt-" + name, code)
    c.close()


def cmd_evenport(a):
    """on one 5-tuple, Allocate(EVEN-PORT R) then Refresh(0), N times,
    then Allocates with random RESERVATION-TOKENs; codes counted"""
    cred = Cred(a.secret, a.user, a.realm)
    c = Client(a.server)
    code, at = c.ask(build(ALLOCATE, [(REQTRANSPORT, b"\x11\0\0\0")]))
    cred.nonce = at.get(NONCE, b"")
    counts, tok = {}, {}
    for _ in range(a.count):
        code, _ = c.ask(build(ALLOCATE, auth(cred, [
            (REQTRANSPORT, b"\x11\0\0\0"), (EVENPORT, b"\x80")]),
            cred.key))
        counts[code] = counts.get(code, 0) + 1
        if code == 0:
            c.ask(build(REFRESH, auth(cred, [(LIFETIME, b"\0\0\0\0")]),
                        cred.key))
    if a.count:
        step("evenport", " ".join("%s:%d" % kv for kv in sorted(
            counts.items(), key=str)))
    for _ in range(a.tokens):
        code, _ = c.ask(build(ALLOCATE, auth(cred, [
            (REQTRANSPORT, b"\x11\0\0\0"), (RSVTOKEN, os.urandom(8))]),
            cred.key))
        tok[code] = tok.get(code, 0) + 1
    if a.tokens:
        step("random-tokens", " ".join("%s:%d" % kv for kv in
                                       sorted(tok.items(), key=str)))
    c.close()


def cmd_outlive(a):
    """an allocation across a restart or a failover of the server:
    Allocate; wait for the file --go (at most --max s); Refresh with
    the old nonce, and again with the nonce its answer gave; then
    Allocate again on the same 5-tuple, as a client does after a 437"""
    cred = Cred(a.secret, a.user, a.realm)
    c = Client(a.server, a.tcp)
    step("allocate", login(c, cred))
    end = time.time() + a.max
    while a.go and not os.path.exists(a.go) and time.time() < end:
        time.sleep(0.1)
    code, at = c.ask(build(REFRESH, auth(cred), cred.key))
    step("refresh", code)
    if code == 438 and NONCE in at:
        cred.nonce = at[NONCE]
        code, at = c.ask(build(REFRESH, auth(cred), cred.key))
        step("refresh-new-nonce", code)
    code, at = c.ask(build(ALLOCATE, auth(cred, [(REQTRANSPORT,
                                                  b"\x11\0\0\0")]),
                           cred.key))
    step("allocate-again", code, "relayed" if XRELAY in at else "")
    c.ask(build(REFRESH, auth(cred, [(LIFETIME, b"\0\0\0\0")]), cred.key))
    c.close()


def cmd_peers(a):
    """CreatePermission for each peer (with --forms, each IPv4 peer in
    every form), then a Send indication to it; the codes"""
    cred = Cred(a.secret, a.user, a.realm)
    c = Client(a.server, a.tcp)
    step("allocate", login(c, cred))
    peers = []
    for p in a.peers:
        peers += [(f, p, x) for f, x in (forms(p) if a.forms else
                                          [("addr", p)])]
    for name, v4, p in peers:
        code, _ = c.ask(build(CREATEPERM, auth(cred, [(XPEER, xaddr(p, 0))]),
                              cred.key))
        step("peer %s %s %s" % (name, v4, p), code)
        c.send(build(SEND, [(XPEER, xaddr(p, 3480)), (DATA, b"atk")],
                     cls=1))
    ctl(a.ctl)
    c.close()


def cmd_bigmsg(a):
    """a Binding of about 64 KiB over TCP (16 bytes short of the most)"""
    items = [(0xC000 | (i & 0xFFF), b"") for i in range(16379)]
    msg = build(BINDING, items)
    c = Client(a.server, True)
    code, at = c.ask(msg)
    step("binding-%d" % len(msg), code)
    c.close()
    big = build(BINDING, [(0x8001, b"x" * 9200)])
    c = Client(a.server)
    code, _ = c.ask(big)
    step("udp-%d" % len(big), code)
    c.close()


def cmd_trickle(a):
    """a header claiming 65532 bytes, 1 KiB, then a byte every
    interval; how long until the server closes"""
    c = Client(a.server, True)
    hdr = struct.pack("!HHI", 1, 65532, COOKIE) + os.urandom(12)
    c.send(hdr + b"\x80\x01\x03\xe8" + b"x" * 1020)
    t0 = time.time()
    c.s.settimeout(a.interval)
    while time.time() - t0 < a.max:
        try:
            if c.s.recv(1) == b"":
                break
        except socket.timeout:
            pass
        except ConnectionError:
            break
        try:
            c.s.send(b"x")
        except OSError:
            break
    else:
        step("trickle", "open", "after %.0f s" % a.max)
        return
    step("trickle", "closed", "after %.1f s" % (time.time() - t0))


def cmd_conns(a):
    """N connections from src, each sending a Binding; how many get an
    answer (the others were refused or closed); then, for hold seconds,
    a Binding a second on each, which keeps them open"""
    socks, answered = [], 0
    for _ in range(a.count):
        try:
            c = Client(a.server, True, a.src, timeout=1.0)
            socks.append(c)
            code, _ = c.ask(build(BINDING, []))
            if code == 0:
                answered += 1
        except OSError:
            pass
    step("conns", answered, "of %d" % a.count)
    t0 = time.time()
    while time.time() - t0 < a.hold:
        time.sleep(1)
        alive = 0
        for c in socks:
            try:
                if c.ask(build(BINDING, []))[0] == 0:
                    alive += 1
            except OSError:
                pass
    if a.hold:
        step("held", alive, "for %.0f s" % a.hold)
    for c in socks:
        c.close()

def cmd_spoof(a):
    """Allocates or Bindings over a raw socket from forged sources
    toward the UDP listener, paced at --rate for --duration (atkraw.py
    bounds both); nothing is read back"""
    srcs, nips = atkraw.sources(a.src or "203.0.113.21-254,"
                                "198.51.100.21-254,192.0.2.21-254", a.count)
    host, port = a.server.rsplit(":", 1)
    dst = (host, int(port))
    if a.kind == "binding":
        msg = [build(BINDING, []) for _ in srcs]
    else:
        msg = [build(ALLOCATE, [(REQTRANSPORT, b"\x11\0\0\0")])
               for _ in srcs]
    pkts = [atkraw.udp(sa, dst, m) for sa, m in zip(srcs, msg)]
    sent, failed, el = atkraw.flood(dst, lambda i: pkts[i % len(pkts)],
                                    a.rate, a.duration)
    step("spoof", sent, "%s from %d sources on %d addresses in %.2f s "
         "(%.0f/s), %d not sent" % (a.kind, len(srcs), nips, el, sent / el,
                                    failed))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("cmd", choices=["aftermi", "dupattr", "fmt", "evenport",
                                    "peers", "bigmsg", "trickle", "conns",
                                    "spoof", "outlive"])
    ap.add_argument("--server", required=True, help="IP:PORT")
    ap.add_argument("--secret", default="")
    ap.add_argument("--user", default="atk")
    ap.add_argument("--realm", default="umedge.test")
    ap.add_argument("--tcp", action="store_true")
    ap.add_argument("--peer-a", default="198.51.100.10")
    ap.add_argument("--peer-b", default="127.0.0.1")
    ap.add_argument("--peers", nargs="*", default=[])
    ap.add_argument("--forms", action="store_true")
    ap.add_argument("--ctl", default="")
    ap.add_argument("--count", type=int, default=10)
    ap.add_argument("--tokens", type=int, default=0)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--src", default=None)
    ap.add_argument("--hold", type=float, default=0)
    ap.add_argument("--go", default="")
    ap.add_argument("--interval", type=float, default=0.5)
    ap.add_argument("--max", type=float, default=10)
    ap.add_argument("--kind", choices=["allocate", "binding"],
                    default="allocate")
    ap.add_argument("--rate", type=int, default=10000)
    ap.add_argument("--duration", type=float, default=4)
    a = ap.parse_args()
    globals()["cmd_" + a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
