#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""sipstream.py: stream attacks on a SIP listener over TCP.

usage: sipstream.py big HOST PORT BYTES
         a request of BYTES in all: prints the status line it gets, then
         "closed" if the edge closed the connection after it
       sipstream.py slow HOST PORT SECONDS
         half a request, then nothing: prints after how many whole
         seconds the edge closed the connection ("open" if it did not
         within SECONDS)
       sipstream.py conns HOST PORT N
         opens N connections one after the other and keeps them: prints
         how many the edge kept open (a refused one is closed at once)
"""
import socket
import sys
import time


def req(body_len):
    hdr = ('INVITE sip:8000@edge SIP/2.0\r\n'
           'Via: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bKstream-big\r\n'
           'From: <sip:a@192.0.2.1>;tag=a\r\nTo: <sip:8000@edge>\r\n'
           'Call-ID: stream-big\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n'
           'Content-Type: application/sdp\r\n'
           'Content-Length: %d\r\n\r\n' % body_len)
    return hdr.encode() + b'v' * body_len


def closed_within(s, seconds):
    s.settimeout(seconds)
    try:
        while True:
            d = s.recv(65536)
            if not d:
                return True
    except socket.timeout:
        return False
    except OSError:
        return True


def big(host, port, n):
    s = socket.create_connection((host, port), timeout=5)
    s.sendall(req(max(0, n - len(req(0)))))
    s.settimeout(5)
    data = b''
    while b'\r\n' not in data:
        d = s.recv(4096)
        if not d:
            break
        data += d
    print(data.split(b'\r\n', 1)[0].decode(errors='replace'))
    print('closed' if closed_within(s, 5) else 'open')


def slow(host, port, seconds):
    s = socket.create_connection((host, port), timeout=5)
    s.sendall(req(10)[:60])
    t0 = time.time()
    if closed_within(s, seconds):
        print(int(time.time() - t0))
    else:
        print('open')


def conns(host, port, n):
    keep = []
    for _ in range(n):
        s = socket.create_connection((host, port), timeout=5)
        keep.append(s)
        time.sleep(0.05)
    time.sleep(0.5)
    open_n = sum(0 if closed_within(s, 0.2) else 1 for s in keep)
    print(open_n)


def main(argv):
    what, host, port, arg = argv[0], argv[1], int(argv[2]), int(argv[3])
    {'big': big, 'slow': slow, 'conns': conns}[what](host, port, arg)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
