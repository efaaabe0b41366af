#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""srtppeer: one media peer of an integration test, plain RTP or SRTP.

It sends --count RTP packets (20 ms apart, 160-byte payloads that start
with the byte --mark and the sequence number) to --peer, protected with
--tx-key if given, and two RTCP compounds (SR + SDES CNAME --cname),
to --peer as well (rtcp-mux) or, with --rtcp-peer, there; then RTCP is
also received on the port after --bind's. With --start-at it binds at
once, and starts sending at that time (peers started apart begin
together). For --secs seconds it receives what comes back: with
--rx-key each packet must authenticate and decrypt under that key
(SRTP/SRTCP), and its payload must not be readable before (it was
encrypted); without, each must be plain RTP. A packet whose payload
starts with --expect is counted "ok" if the rest of it is as this tool
sends it (the sequence number, then the fill), "bad" otherwise. It
prints one JSON line of counters, and the CNAMEs seen in RTCP.
--seq-start makes the first sequence number other than 0 (near 65535,
the SRTP rollover counter moves early in the run).

--forge makes it an attacker that knows no key: each packet it sends is
shaped as SRTP (SRTCP for the two compounds) with a random payload and a
random authentication tag, under a new random SSRC (it knows none of
the peers'); with --tx-key as well, every other packet is real SRTP
under that key instead (a key that is not the one the receiver expects);
and every fifth is not RTP at all (20 random bytes, RTP version 0).

Keys are SDES inline keys (base64 of master key and salt, padding
optional), for AES_CM_128_HMAC_SHA1_80 or _32, or AEAD_AES_128_GCM or
_256_GCM (--suite).

Debian's python3-pylibsrtp (libsrtp2) does the SRTP: an implementation
other than the one under test.
"""
import argparse
import base64
import json
import os
import select
import socket
import struct
import sys
import time

import pylibsrtp

PROFILES = {
    "AES_CM_128_HMAC_SHA1_80": pylibsrtp.Policy.SRTP_PROFILE_AES128_CM_SHA1_80,
    "AES_CM_128_HMAC_SHA1_32": pylibsrtp.Policy.SRTP_PROFILE_AES128_CM_SHA1_32,
    "AEAD_AES_128_GCM": pylibsrtp.Policy.SRTP_PROFILE_AEAD_AES_128_GCM,
    "AEAD_AES_256_GCM": pylibsrtp.Policy.SRTP_PROFILE_AEAD_AES_256_GCM,
}


def addr(text):
    host, port = text.rsplit(":", 1)
    return host, int(port)


def session(key, suite, direction):
    raw = base64.b64decode(key + "=" * (-len(key) % 4))
    pol = pylibsrtp.Policy(key=raw, ssrc_type=direction,
                           srtp_profile=PROFILES[suite])
    return pylibsrtp.Session(policy=pol)


FILL = bytes([0xd5]) * 157


def rtp_packet(seq, ssrc, mark):
    seq &= 0xffff
    hdr = struct.pack("!BBHII", 0x80, 0, seq, (seq * 160) & 0xffffffff, ssrc)
    body = bytes([mark]) + struct.pack("!H", seq) + FILL
    return hdr + body


def rtcp_packet(ssrc, cname):
    name = cname.encode()
    sr = struct.pack("!BBHIIIIII", 0x80, 200, 6, ssrc, 0, 0, 0, 0, 0)
    item = bytes([1, len(name)]) + name + b"\0"
    item += b"\0" * (-(4 + len(item)) % 4)
    sdes = struct.pack("!BBHI", 0x81, 202, (4 + len(item)) // 4, ssrc)
    return sr + sdes + item


def cnames(pkt):
    """The CNAMEs of a plain RTCP compound"""
    out, off = [], 0
    while off + 4 <= len(pkt):
        pt = pkt[off + 1]
        length = (struct.unpack("!H", pkt[off + 2:off + 4])[0] + 1) * 4
        if pt == 202 and off + 8 <= len(pkt):
            i = off + 8
            while i + 2 <= off + length and pkt[i] != 0:
                n = pkt[i + 1]
                if pkt[i] == 1:
                    out.append(pkt[i + 2:i + 2 + n].decode("ascii", "replace"))
                i += 2 + n
        off += length
    return out


class Peer:
    def __init__(self, a):
        self.a = a
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(addr(a.bind))
        self.peer = addr(a.peer)
        self.socks = [self.sock]
        self.rtcp_sock, self.rtcp_peer = self.sock, self.peer
        if a.rtcp_peer:
            host, port = addr(a.bind)
            self.rtcp_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.rtcp_sock.bind((host, port + 1))
            self.rtcp_peer = addr(a.rtcp_peer)
            self.socks.append(self.rtcp_sock)
        self.tx = session(a.tx_key, a.suite, pylibsrtp.Policy.SSRC_ANY_OUTBOUND) \
            if a.tx_key else None
        self.rx = session(a.rx_key, a.rx_suite or a.suite,
                          pylibsrtp.Policy.SSRC_ANY_INBOUND) \
            if a.rx_key else None
        self.c = {"sent": 0, "ok": 0, "bad": 0, "auth_fail": 0,
                  "plain": 0, "rtcp": 0, "cnames": []}
        self.mark, self.expect = ord(a.mark), ord(a.expect)
        self.ssrc = int.from_bytes(os.urandom(4), "big")

    def forged(self, seq):
        """RTP-shaped garbage: random payload and tag, random SSRC"""
        ssrc = int.from_bytes(os.urandom(4), "big")
        return struct.pack("!BBHII", 0x80, 0, seq, seq * 160, ssrc) + \
            os.urandom(160 + 10)

    def forged_rtcp(self):
        """SRTCP-shaped garbage: an SR header, random body, E-flag and
        index, random tag"""
        ssrc = int.from_bytes(os.urandom(4), "big")
        return struct.pack("!BBHI", 0x80, 200, 6, ssrc) + os.urandom(20) + \
            (0x80000001).to_bytes(4, "big") + os.urandom(10)

    def send(self, seq):
        forge = self.a.forge and (not self.tx or seq % 2 == 0)
        pkt = rtp_packet(self.a.seq_start + seq, self.ssrc, self.mark)
        if self.a.forge and seq % 5 == 4:
            pkt = bytes([os.urandom(1)[0] & 0x3f]) + os.urandom(19)
        elif forge:
            pkt = self.forged(seq)
        elif self.tx:
            pkt = self.tx.protect(pkt)
        self.sock.sendto(pkt, self.peer)
        self.c["sent"] += 1
        if seq in (5, self.a.count - 5):
            rtcp = rtcp_packet(self.ssrc, self.a.cname)
            if self.a.forge and (not self.tx or seq == 5):
                rtcp = self.forged_rtcp()
            elif self.tx:
                rtcp = self.tx.protect_rtcp(rtcp)
            self.rtcp_sock.sendto(rtcp, self.rtcp_peer)

    def receive(self, pkt):
        is_rtcp = len(pkt) > 1 and 192 <= pkt[1] <= 223
        if self.rx:
            if not is_rtcp and pkt[15:172] == FILL:
                self.c["plain"] += 1
            try:
                pkt = self.rx.unprotect_rtcp(pkt) if is_rtcp \
                    else self.rx.unprotect(pkt)
            except pylibsrtp.Error:
                self.c["auth_fail"] += 1
                return
        if is_rtcp:
            self.c["rtcp"] += 1
            self.c["cnames"] += cnames(pkt)
        elif len(pkt) == 172 and pkt[12] == self.expect and \
                pkt[13:15] == pkt[2:4] and pkt[15:] == FILL:
            self.c["ok"] += 1
        else:
            self.c["bad"] += 1

    def run(self):
        # bound already: what comes before the start is taken in too
        while self.a.start_at and time.time() < self.a.start_at:
            wait = min(self.a.start_at - time.time(), 0.05)
            r, _, _ = select.select(self.socks, [], [], max(wait, 0.0))
            for s in r:
                self.receive(s.recv(2048))
        start = time.monotonic()
        seq = 0
        while time.monotonic() - start < self.a.secs:
            due = start + 0.02 * seq
            if seq < self.a.count and time.monotonic() >= due:
                self.send(seq)
                seq += 1
                continue
            wait = max(0.0, min(due - time.monotonic(), 0.02)) \
                if seq < self.a.count else 0.05
            r, _, _ = select.select(self.socks, [], [], wait)
            for s in r:
                self.receive(s.recv(2048))
        return self.c


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bind", required=True, help="IP:PORT to send from")
    p.add_argument("--peer", required=True, help="IP:PORT to send to")
    p.add_argument("--rtcp-peer", help="IP:PORT to send RTCP to (no mux)")
    p.add_argument("--tx-key", help="SDES key we encrypt with")
    p.add_argument("--rx-key", help="SDES key the far side encrypts with")
    p.add_argument("--suite", default="AES_CM_128_HMAC_SHA1_80")
    p.add_argument("--rx-suite", help="suite of --rx-key, if other")
    p.add_argument("--count", type=int, default=50)
    p.add_argument("--seq-start", type=int, default=0,
                   help="first RTP sequence number (wraps at 65536)")
    p.add_argument("--secs", type=float, default=3.0)
    p.add_argument("--start-at", type=float,
                   help="wall-clock time (s since the epoch) to start"
                   " sending at, --secs counted from then: peers started"
                   " apart begin together")
    p.add_argument("--mark", default="G", help="first payload byte we send")
    p.add_argument("--expect", default="U", help="first byte we expect")
    p.add_argument("--cname", default="peer@192.0.2.99")
    p.add_argument("--forge", action="store_true",
                   help="send forged SRTP (see above)")
    p.add_argument("--out", help="write the JSON line here, else stdout")
    a = p.parse_args()
    line = json.dumps(Peer(a).run())
    if a.out:
        with open(a.out, "w") as f:
            f.write(line + "\n")
    else:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
