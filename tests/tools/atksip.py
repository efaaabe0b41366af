#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""atksip.py: raw SIP requests over UDP for umedge's attack tests.

  atksip.py req [options] DST-ADDR:PORT
  atksip.py spoof [options] DST-ADDR:PORT

sends COUNT requests of METHOD from each source address, one source
after the other (--in-turn: a request from each in turn), one UDP
socket per source (port SPORT or any), at most WINDOW unanswered at
once, and waits TIMEOUT seconds for each final answer. Call-ID, From
tag and Via branch are given (--callid, --ftag, --branch) or random per
request; --via names the Via sent-by (default the socket's address).
Provisional answers are skipped. It prints one line:

  sent N answered A codes 200:x,503:y no-retry-after R no-warning W

where R counts 503s without Retry-After and W 4xx/5xx without Warning
(403 and 481 carry none by design). Exit 0 whatever the answers; the
test judges them. spoof sends from forged sources over a raw socket
(tests/tools/atkraw.py) and reads nothing. Python 3 standard library
only.
"""
import argparse
import random
import select
import socket
import string
import sys
import time

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
import atkraw  # noqa: E402

SDP = ("v=0\r\no=atk 1 1 IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\n"
       "m=audio 9 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n")


def rnd(n):
    return "".join(random.choice(string.ascii_lowercase + string.digits)
                   for _ in range(n))


def sources(spec):
    """198.51.100.10 or 198.51.100.100-199 or a comma list of those"""
    out = []
    for part in spec.split(","):
        if "-" in part:
            base, last = part.rsplit("-", 1)
            head, first = base.rsplit(".", 1)
            out += ["%s.%d" % (head, i)
                    for i in range(int(first), int(last) + 1)]
        else:
            out.append(part)
    return out


def request(a, src, dst, n, method=None):
    """a request of method (default --method) from src, (IP, port), and
    its Via branch"""
    ip, port = src
    method = method or a.method
    callid = a.callid or "atk-" + rnd(16)
    ftag = a.ftag or rnd(12)
    branch = a.branch or "z9hG4bK" + rnd(16)
    via = a.via or "%s:%d" % (ip, port)
    sdp = a.sdp or (a.cmd == "spoof" and method == "INVITE")
    body = SDP.format(ip=ip) if sdp else ""
    cseq = a.cseq or (1 if method in ("INVITE", "CANCEL") else n + 1)
    lines = [
        "%s sip:%s@%s SIP/2.0" % (method, a.user, dst[0]),
        "Via: SIP/2.0/UDP %s;branch=%s;rport" % (via, branch),
        "From: <sip:atk@%s>;tag=%s" % (ip, ftag),
        "To: <sip:%s@%s>%s" % (a.user, dst[0],
                               ";tag=" + a.ttag if a.ttag else ""),
        "Call-ID: %s" % callid,
        "CSeq: %d %s" % (cseq, method),
        "Contact: <sip:atk@%s:%d>" % (ip, port),
        "Max-Forwards: 70",
    ]
    if body:
        lines.append("Content-Type: application/sdp")
    lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode(), branch


def answer(data):
    """(code, branch, has Retry-After, has Warning) of a response"""
    text = data.decode("latin-1")
    head = text.split("\r\n\r\n", 1)[0].split("\r\n")
    if not head[0].startswith("SIP/2.0 "):
        return None
    code = int(head[0].split()[1])
    branch, retry, warn = None, False, False
    for h in head[1:]:
        name = h.split(":", 1)[0].strip().lower()
        if name in ("via", "v") and branch is None and "branch=" in h:
            branch = h.split("branch=", 1)[1].split(";")[0].strip()
        retry |= name == "retry-after"
        warn |= name == "warning"
    return code, branch, retry, warn


def run(a):
    host, port = a.dst.rsplit(":", 1)
    dst = (host, int(port))
    socks = []
    for ip in sources(a.src):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((ip, a.sport))
        s.setblocking(False)
        socks.append(s)
    if a.in_turn:
        todo = [(s, i) for i in range(a.count) for s in socks]
    else:
        todo = [(s, i) for s in socks for i in range(a.count)]
    pending = {}
    codes = {}
    stats = {"sent": 0, "answered": 0, "noretry": 0, "nowarn": 0}

    def read(wait):
        r, _, _ = select.select(socks, [], [], wait)
        for s in r:
            try:
                data = s.recv(65536)
            except OSError:
                continue
            got = answer(data)
            if not got or got[0] < 200 or got[1] not in pending:
                continue
            del pending[got[1]]
            stats["answered"] += 1
            codes[got[0]] = codes.get(got[0], 0) + 1
            if got[0] == 503 and not got[2]:
                stats["noretry"] += 1
            if got[0] >= 400 and got[0] not in (403, 481) and not got[3]:
                stats["nowarn"] += 1

    while todo or pending:
        now = time.monotonic()
        for b in [b for b, t in pending.items() if now - t > a.timeout]:
            del pending[b]
        if todo and len(pending) < a.window:
            s, i = todo.pop(0)
            data, branch = request(a, s.getsockname(), dst, i)
            try:
                s.sendto(data, dst)
            except OSError:
                pass
            stats["sent"] += 1
            pending[branch] = time.monotonic()
            read(0)
        else:
            read(0.05)

    print("sent %d answered %d codes %s no-retry-after %d no-warning %d" % (
        stats["sent"], stats["answered"],
        ",".join("%d:%d" % kv for kv in sorted(codes.items())) or "-",
        stats["noretry"], stats["nowarn"]))


def spoof(a):
    """requests over a raw socket from forged sources (atkraw.py): the
    methods of --method (comma-separated) in turn, each with a fresh
    branch, tag and Call-ID, paced at --rate for --duration; nothing is
    read back (the answers go to the forged addresses)"""
    host, port = a.dst.rsplit(":", 1)
    dst = (host, int(port))
    srcs, nips = atkraw.sources(a.src, a.count)
    methods = a.method.split(",")

    def make(i):
        src = srcs[i % len(srcs)]
        data, _ = request(a, src, dst, i, methods[i % len(methods)])
        return atkraw.udp(src, dst, data)

    sent, failed, el = atkraw.flood(dst, make, a.rate, a.duration)
    print("spoof %d %s from %d sources on %d addresses in %.2f s "
          "(%.0f/s), %d not sent" % (sent, a.method, len(srcs), nips, el,
                                     sent / el, failed))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("req", help="send requests, count the answers")
    r.add_argument("--src", required=True,
                   help="source address(es): A, A-B (last octet), A,B")
    r.add_argument("--sport", type=int, default=0)
    r.add_argument("--method", default="OPTIONS")
    r.add_argument("--user", default="8000")
    r.add_argument("--count", type=int, default=1,
                   help="requests per source")
    r.add_argument("--window", type=int, default=50)
    r.add_argument("--in-turn", action="store_true",
                   help="a request from each source in turn")
    r.add_argument("--timeout", type=float, default=2.0)
    r.add_argument("--callid")
    r.add_argument("--ftag")
    r.add_argument("--ttag")
    r.add_argument("--branch")
    r.add_argument("--cseq", type=int, default=0)
    r.add_argument("--via", help="Via sent-by HOST:PORT")
    r.add_argument("--sdp", action="store_true", help="an SDP offer")
    r.add_argument("dst")
    f = sub.add_parser("spoof", help="forged sources over a raw socket")
    f.add_argument("--src", required=True,
                   help="A.B.C.LO-HI[,...] in the documentation ranges")
    f.add_argument("--count", type=int, default=5000,
                   help="source transport addresses")
    f.add_argument("--method", default="INVITE,OPTIONS")
    f.add_argument("--user", default="8000")
    f.add_argument("--rate", type=int, default=5000)
    f.add_argument("--duration", type=float, default=2)
    for k in ("callid", "ftag", "ttag", "branch", "via"):
        f.set_defaults(**{k: None})
    f.set_defaults(cseq=0, sdp=False)
    f.add_argument("dst")
    a = p.parse_args()
    if a.cmd == "spoof":
        spoof(a)
        return
    if a.count < 1 or a.count > 100000:
        sys.exit("--count: 1 to 100000")
    if a.branch and (a.count > 1 or "," in a.src or "-" in a.src):
        sys.exit("--branch: one request only")
    run(a)


if __name__ == "__main__":
    main()
