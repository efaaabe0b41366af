#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""tests/tools/atkng.py: hostile ng (rtpengine control protocol)
requests for tests/attack/ng-bencode.test. Standard library only.

usage: atkng.py SERVER:PORT SRC-ADDR cases
           each N1 request once from SRC-ADDR; each must get exactly one
           reply with its documented result (or none); one line each
       atkng.py SERVER:PORT SRC-ADDR silent
           the same requests; none may get any reply
       atkng.py SERVER:PORT SRC-ADDR flood N SDP-BYTES TAG
           N re-offers of call "flood" with distinct cookies and an SDP
           of about SDP-BYTES (large replies); all must be answered ok
       atkng.py SERVER:PORT SRC-ADDR ping
           one ping; prints how long the pong took; fails after 1 s
Exit status 1 on any mismatch."""
import socket
import sys
import time

SDP_HEAD = ('v=0\r\no=- 1 1 IN IP4 198.51.100.10\r\ns=-\r\n'
            'c=IN IP4 198.51.100.10\r\nt=0 0\r\n'
            'm=audio 6000 RTP/AVP 8\r\na=sendrecv\r\n')


def bstr(s):
    if isinstance(s, str):
        s = s.encode()
    return str(len(s)).encode() + b':' + s


def dict_of(*kv):
    return b'd' + b''.join(bstr(k) + v for k, v in kv) + b'e'


def offer(callid, sdp=SDP_HEAD):
    return dict_of(('call-id', bstr(callid)), ('command', bstr('offer')),
                   ('direction', b'l' + bstr('external') +
                    bstr('internal') + b'e'),
                   ('from-tag', bstr('gw')), ('sdp', bstr(sdp)))


def cmd(name, callid):
    return dict_of(('call-id', bstr(callid)), ('command', bstr(name)))


def ping_with(key, value):
    return dict_of(('command', bstr('ping')), (key, value))


MALFORMED = 'malformed bencode dictionary'
LONG_ID = 'x' * 65400


def cases():
    """(name, cookie, body, expected): expected is 'pong', an error
    reason, or None for no reply at all"""
    nest32 = b'l' * 31 + b'e' * 31
    nest33 = b'l' * 32 + b'e' * 32
    nodes = lambda n: b'l' + b'i1e' * (n - 3) + b'e'
    return [
        ('depth 32', 'n1', ping_with('x', nest32), 'pong'),
        ('depth 33', 'n2', ping_with('x', nest33), MALFORMED),
        ('4096 nodes', 'n3', ping_with('x', nodes(4096)), 'pong'),
        ('4097 nodes', 'n4', ping_with('x', nodes(4097)), MALFORMED),
        ('truncated ping', 'n5', b'd7:command4:pin', MALFORMED),
        ('i-0e', 'n6', ping_with('x', b'i-0e'), MALFORMED),
        ('i01e', 'n7', ping_with('x', b'i01e'), MALFORMED),
        ('string length 2^64', 'n8',
         b'd7:command4:ping1:x18446744073709551616:abce', MALFORMED),
        ('string length 99999999999', 'n9',
         b'd7:command4:ping1:x99999999999:abce', MALFORMED),
        ('string length past the end', 'n10',
         b'd7:command4:ping1:x60000:abce', MALFORMED),
        ('duplicate command', 'n11',
         b'd7:command4:ping7:command6:deletee', MALFORMED),
        ('65400-byte call-id offer', 'n12',
         dict_of(('call-id', bstr(LONG_ID)), ('command', bstr('offer')),
                 ('from-tag', bstr('gw')), ('sdp', bstr('v=0\r\n'))),
         'call-id or tag too long'),
        ('65400-byte call-id delete', 'n13', cmd('delete', LONG_ID),
         'Call-ID not found'),
        ('65400-byte call-id query', 'n14', cmd('query', LONG_ID),
         'Call-ID not found'),
        ('65-byte cookie', 'c' * 65, b'd7:command4:pinge', None),
        ('no cookie', '', b'd7:command4:pinge', None),
    ]


def sock_for(src):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    s.bind((src, 0))
    return s


def replies(s, wait):
    """every datagram that arrives within wait seconds"""
    out = []
    s.settimeout(wait)
    while True:
        try:
            out.append(s.recv(70000))
        except socket.timeout:
            return out


def reply_one(s, wait):
    """the first datagram within wait seconds, or None"""
    s.settimeout(wait)
    try:
        return s.recv(70000)
    except socket.timeout:
        return None


def judge(got, cookie, expected):
    if expected is None:
        return None if not got else 'replied: %r' % got[0][:80]
    if len(got) != 1:
        return '%d replies' % len(got)
    r = got[0]
    if not r.startswith(cookie.encode() + b' '):
        return 'wrong cookie: %r' % r[:80]
    if expected == 'pong':
        want = b'd6:result4:ponge'
    else:
        want = dict_of(('result', bstr('error')),
                       ('error-reason', bstr(expected)))
    body = r[len(cookie) + 1:]
    return None if body == want else 'got %r' % body[:120]


def run_cases(srv, src, silent):
    s = sock_for(src)
    bad = 0
    for name, cookie, body, expected in cases():
        msg = (cookie + ' ').encode() + body if cookie else body
        s.sendto(msg, srv)
        why = judge(replies(s, 0.5), cookie, None if silent else expected)
        if why:
            bad += 1
            print('not ok - %s (%d bytes): %s' % (name, len(msg), why))
        else:
            print('ok - %s (%d bytes): %s' % (name, len(msg),
                  'no reply' if silent or expected is None else expected))
    return bad


def run_flood(srv, src, n, size, tag):
    s = sock_for(src)
    line = 'a=x-pad:' + 'p' * 200 + '\r\n'
    sdp = SDP_HEAD + line * max(0, (size - len(SDP_HEAD)) // len(line))
    body = offer('flood', sdp)
    ok = total = 0
    for i in range(n):
        s.sendto(('%s%d ' % (tag, i)).encode() + body, srv)
        # a reply at a time: no loss in the socket buffers
        r = reply_one(s, 1.0)
        if r:
            total += len(r)
            ok += b'6:result2:ok' in r
    print('flood: %d of %d answered ok, %d reply bytes (%d each)'
          % (ok, n, total, total // max(ok, 1)))
    return 0 if ok == n else 1


def run_ping(srv, src):
    s = sock_for(src)
    t0 = time.monotonic()
    s.sendto(b'p%d d7:command4:pinge' % int(t0 * 1000), srv)
    got = reply_one(s, 1.0)
    ms = (time.monotonic() - t0) * 1000
    if not got or b'4:pong' not in got:
        print('ping: no pong within 1 s')
        return 1
    print('ping: pong in %.1f ms' % ms)
    return 0


def main(argv):
    host, port = argv[1].rsplit(':', 1)
    srv = (host, int(port))
    src, mode = argv[2], argv[3]
    if mode in ('cases', 'silent'):
        return 1 if run_cases(srv, src, mode == 'silent') else 0
    if mode == 'flood':
        return run_flood(srv, src, int(argv[4]), int(argv[5]), argv[6])
    if mode == 'ping':
        return run_ping(srv, src)
    print(__doc__)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
