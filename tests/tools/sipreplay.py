#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""sipreplay.py: send SIP messages over one TCP connection, one at a time,
and print the status of the answer to each (the answer that carries the
message's Call-ID), or "none" when nothing came within the wait.

usage: sipreplay.py [--bind ADDR] [--wait SECONDS] HOST PORT NAME=FILE...

A NAME=FILE given as "!NAME=FILE" goes on a connection of its own (a
message that ends its connection). Each line printed: NAME STATUS, and
last "connection open" or "connection closed" for the shared
connection (an OPTIONS after the last message must get its answer).
Each message's Via branch gets "-NAME" appended, so that no two are
taken for retransmissions of each other.
"""
import re
import socket
import sys
import time


def rewrite(data, name):
    return re.sub(rb'(branch=z9hG4bK[A-Za-z0-9.%_-]+)',
                  lambda m: m.group(1) + b'-' + name.encode(), data)


def call_id(data):
    m = re.search(rb'^(?:call-id|i)[ \t]*:[ \t]*([^\r\n]*)', data,
                  re.I | re.M)
    return m.group(1).strip() if m else None


def connect(host, port, bind):
    s = socket.create_connection((host, port), timeout=5,
                                 source_address=(bind, 0) if bind else None)
    s.settimeout(0.2)
    return s


def answer(sock, cid, wait):
    """The status of the first response with Call-ID cid, or none;
    "closed" if the peer closed before"""
    buf = b''
    end = time.time() + wait
    while time.time() < end:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            chunk = None
        if chunk == b'':
            st = scan(buf, cid)
            return st if st else 'closed'
        if chunk:
            buf += chunk
            st = scan(buf, cid)
            if st:
                return st
    return 'none'


def scan(buf, cid):
    for msg in buf.split(b'\r\n\r\n'):
        m = re.match(rb'\s*SIP/2\.0 ([0-9]{3}) ', msg)
        if m and (cid is None or call_id(msg) == cid):
            return m.group(1).decode()
    return None


def send_one(sock, name, path, wait):
    data = rewrite(open(path, 'rb').read(), name)
    cid = call_id(data)
    try:
        sock.sendall(data)
    except OSError:
        return 'closed'
    return answer(sock, cid, wait)


PING = (b'OPTIONS sip:edge SIP/2.0\r\n'
        b'Via: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bKreplay-ping\r\n'
        b'From: <sip:replay@192.0.2.1>;tag=p\r\nTo: <sip:edge>\r\n'
        b'Call-ID: replay-ping\r\nCSeq: 1 OPTIONS\r\n'
        b'Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n')


def main(argv):
    bind, wait = None, 1.0
    while argv and argv[0].startswith('--'):
        opt = argv.pop(0)
        if opt == '--bind':
            bind = argv.pop(0)
        elif opt == '--wait':
            wait = float(argv.pop(0))
    host, port = argv[0], int(argv[1])
    shared = connect(host, port, bind)
    for item in argv[2:]:
        alone = item.startswith('!')
        name, path = item.lstrip('!').split('=', 1)
        if alone:
            s = connect(host, port, bind)
            print(name, send_one(s, name, path, wait), flush=True)
            s.close()
        else:
            print(name, send_one(shared, name, path, wait), flush=True)
    try:
        shared.sendall(PING)
        st = answer(shared, b'replay-ping', wait)
    except OSError:
        st = 'closed'
    print('connection', 'open' if st == '200' else 'closed (%s)' % st)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
