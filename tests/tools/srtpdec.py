#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""srtpdec: decrypt captured SRTP with the SDES key its receiver was given.

Reads UDP datagrams on stdin as hex, one a line (as `tshark -T fields
-e udp.payload` prints them; colons are ignored), the media one peer
received. Each must authenticate under --key (an SDES inline key of
--suite): RTP as SRTP, RTCP (second byte 192-223, RFC 5761) as SRTCP. Prints the
payload of each decrypted RTP packet of payload type --pt as hex, one
packet a line (tonecheck's input), and on stderr one JSON line of
counters: rtp and rtcp decrypted, auth_fail, other_pt, and plain: RTP
packets whose payload was the same before decryption (not encrypted).
Exits 0 when at least one RTP packet of --pt decrypted, none failed
and none was plain, else 1.

The SRTP is Debian's python3-pylibsrtp (libsrtp2), through srtppeer.py.
"""
import argparse
import json
import sys

import pylibsrtp

from srtppeer import PROFILES, session


def rtp_payload(pkt):
    """Where the payload of a plain RTP packet starts and ends, None if
    it does not parse"""
    if len(pkt) < 12:
        return None
    off = 12 + 4 * (pkt[0] & 0x0f)
    if pkt[0] & 0x10:
        if len(pkt) < off + 4:
            return None
        off += 4 + 4 * int.from_bytes(pkt[off + 2:off + 4], "big")
    end = len(pkt)
    if pkt[0] & 0x20 and end > off:
        end -= pkt[-1]
    return (off, end) if off <= end else None


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--key", required=True, help="SDES inline key")
    p.add_argument("--suite", default="AES_CM_128_HMAC_SHA1_80",
                   choices=sorted(PROFILES))
    p.add_argument("--pt", type=int, default=8, help="payload type to print")
    a = p.parse_args()

    rx = session(a.key, a.suite, pylibsrtp.Policy.SSRC_ANY_INBOUND)
    c = {"rtp": 0, "rtcp": 0, "auth_fail": 0, "other_pt": 0, "plain": 0}
    for line in sys.stdin:
        text = line.strip().replace(":", "")
        if not text:
            continue
        pkt = wire = bytes.fromhex(text)
        is_rtcp = len(pkt) > 1 and 192 <= pkt[1] <= 223
        try:
            pkt = rx.unprotect_rtcp(pkt) if is_rtcp else rx.unprotect(pkt)
        except pylibsrtp.Error:
            c["auth_fail"] += 1
            continue
        if is_rtcp:
            c["rtcp"] += 1
            continue
        span = rtp_payload(pkt)
        if span is None or pkt[1] & 0x7f != a.pt:
            c["other_pt"] += 1
            continue
        body = pkt[span[0]:span[1]]
        c["rtp"] += 1
        if body and wire[span[0]:span[1]] == body:
            c["plain"] += 1
        print(body.hex())
    print(json.dumps(c), file=sys.stderr)
    good = c["rtp"] > 0 and c["auth_fail"] == 0 and c["plain"] == 0
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
