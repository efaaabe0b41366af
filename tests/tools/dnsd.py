#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""dnsd.py: a tiny DNS responder for the integration tests (UDP).

Usage: dnsd.py ADDR:PORT RECORD...

Each RECORD is TYPE:NAME=VALUE, TYPE one of
  A      A:um.test=203.0.113.10
  AAAA   AAAA:um.test=2001:db8:200::10
  SRV    SRV:_sip._tcp.um.test=PRIORITY,WEIGHT,PORT,TARGET
A name of the table asked for another type gets an empty answer; a name
not in it NXDOMAIN. Every question is printed on stdout as
"NAME TYPE" (flushed), for the test to check what was asked.
"""
import socket
import struct
import sys

TYPES = {"A": 1, "AAAA": 28, "SRV": 33}
NAMES = {v: k for k, v in TYPES.items()}


def encode_name(name):
    """A domain name in labels, uncompressed."""
    out = b""
    for label in name.strip(".").split("."):
        out += bytes([len(label)]) + label.encode("ascii")
    return out + b"\0"


def rdata_of(rtype, value):
    """The RDATA of a record given as on the command line."""
    if rtype == "A":
        return socket.inet_pton(socket.AF_INET, value)
    if rtype == "AAAA":
        return socket.inet_pton(socket.AF_INET6, value)
    pri, weight, port, target = value.split(",")
    return struct.pack("!HHH", int(pri), int(weight), int(port)) + \
        encode_name(target)


def parse_table(args):
    """{(name, type): [rdata...]} from the RECORD arguments."""
    table = {}
    for arg in args:
        rtype, rest = arg.split(":", 1)
        name, value = rest.split("=", 1)
        key = (name.lower().strip("."), TYPES[rtype])
        table.setdefault(key, []).append(rdata_of(rtype, value))
    return table


def parse_question(pkt):
    """(name, qtype, end of the question) of a query."""
    pos, labels = 12, []
    while pkt[pos]:
        n = pkt[pos]
        labels.append(pkt[pos + 1:pos + 1 + n].decode("ascii", "replace"))
        pos += 1 + n
    qtype, _ = struct.unpack("!HH", pkt[pos + 1:pos + 5])
    return ".".join(labels).lower(), qtype, pos + 5


def answer(pkt, table):
    """The response to the query pkt."""
    qid, flags = struct.unpack("!HH", pkt[:4])
    name, qtype, end = parse_question(pkt)
    print(name, NAMES.get(qtype, qtype), flush=True)
    known = any(k[0] == name for k in table)
    rrs = table.get((name, qtype), [])
    rcode = 0 if known else 3
    hdr = struct.pack("!HHHHHH", qid, 0x8180 | (flags & 0x0100) | rcode,
                      1, len(rrs), 0, 0)
    out = hdr + pkt[12:end]
    for rdata in rrs:
        out += struct.pack("!HHHIH", 0xc00c, qtype, 1, 60, len(rdata))
        out += rdata
    return out


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    table = parse_table(sys.argv[2:])
    sock = socket.socket(socket.AF_INET6 if ":" in host else
                         socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, int(port)))
    while True:
        pkt, peer = sock.recvfrom(4096)
        if len(pkt) < 17 or pkt[2] & 0x80:
            continue
        try:
            sock.sendto(answer(pkt, table), peer)
        except (IndexError, struct.error, UnicodeError):
            continue


if __name__ == "__main__":
    main()
