#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""tlshold.py: one TLS connection to a SIP server, held across a reload.

Usage: tlshold.py HOST PORT CERT KEY CA GO-FILE

Connects with the client certificate CERT/KEY (the server is verified
against CA, not its name), sends an OPTIONS and prints "1 SERIAL STATUS"
(the server certificate's serial in hex and the status line of the
answer); then waits until GO-FILE exists, sends a second OPTIONS on the
same connection and prints "2 SERIAL STATUS". Exits 1 if the connection
broke. Stdlib only.
"""
import os
import socket
import ssl
import sys
import time


def options(tls, n, host, port):
    m = ("OPTIONS sip:edge@%s:%s;transport=tls SIP/2.0\r\n"
         "Via: SIP/2.0/TLS 198.51.100.10:5099;branch=z9hG4bKhold%d\r\n"
         "From: <sip:gw@198.51.100.10>;tag=hold%d\r\n"
         "To: <sip:edge@%s>\r\nCall-ID: hold%d@tls\r\n"
         "CSeq: %d OPTIONS\r\nMax-Forwards: 70\r\n"
         "Content-Length: 0\r\n\r\n") % (host, port, n, n, host, n, n)
    tls.sendall(m.encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = tls.recv(4096)
        if not chunk:
            raise OSError("connection closed")
        data += chunk
    return data.split(b"\r\n")[0].decode()


def main():
    host, port, cert, key, ca, go = sys.argv[1:7]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.load_verify_locations(ca)
    ctx.load_cert_chain(cert, key)
    raw = socket.create_connection((host, int(port)), timeout=10)
    tls = ctx.wrap_socket(raw)
    serial = "%x" % int(tls.getpeercert()["serialNumber"], 16)
    print("1", serial, options(tls, 1, host, port), flush=True)
    for _ in range(600):
        if os.path.exists(go):
            break
        time.sleep(0.1)
    print("2", serial, options(tls, 2, host, port), flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, ssl.SSLError) as e:
        print("error", e, flush=True)
        sys.exit(1)
