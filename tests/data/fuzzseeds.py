#!/usr/bin/env python3
"""tests/data/fuzzseeds.py: writes the seeds of the fuzz modes that
have no captured vectors: fuzz_srtp's plaintext mode (srtp/plain-*.bin),
fuzz_tstream's streams (tstream/*.bin), fuzz_ng's sequences
(ng/seq-*.bin) and fuzz_rstate's stored calls (rstate/*.bin, in the
port ranges of tests/fuzz/fuzz_rstate.c). Deterministic; run from
tests/data."""
import struct

def rtp(seq, ssrc=0x11223344, pt=8, payload=b'\xd5' * 160, ts=None):
    ts = seq * 160 if ts is None else ts
    return struct.pack('!BBHII', 0x80, pt, seq & 0xffff, ts, ssrc) + payload

def rtcp_sr(ssrc=0x11223344):
    sr = struct.pack('!BBHIIIIII', 0x80, 200, 6, ssrc, 1, 2, 3, 4, 5)
    cname = b'\x01\x0ahost-cname'
    chunk = struct.pack('!I', ssrc) + cname + b'\x00'
    chunk += b'\x00' * (-len(chunk) % 4)
    sdes = struct.pack('!BBH', 0x81, 202, len(chunk) // 4) + chunk
    return sr + sdes

def pkt(ctl, b):
    return bytes([ctl, 255 if len(b) >= 255 else len(b)]) + b

def srtp_seeds():
    for suite in range(4):
        s = bytes([0x40 | suite])
        s += pkt(0, rtp(1)) + pkt(0, rtp(2)) + pkt(1, rtcp_sr())
        s += pkt(4, b'') + pkt(2 | (5 << 3), rtp(3)) + pkt(0, rtp(4, 0x55667788))
        open('srtp/plain-%d.bin' % suite, 'wb').write(s)
    life = bytes([0x40 | (2 << 3)]) + b''.join(pkt(0, rtp(i)) for i in range(4))
    open('srtp/plain-life.bin', 'wb').write(life)

def stun(mtype, body=b'', tid=b'\x01' * 12):
    return struct.pack('!HHI', mtype, len(body), 0x2112a442) + tid + body

def chandata(ch, data):
    return struct.pack('!HH', ch, len(data)) + data + b'\0' * (-len(data) % 4)

def tstream_seeds():
    bind = stun(0x0001)
    open('tstream/binds.bin', 'wb').write(b'\x00' + bind * 3)
    open('tstream/binds-1.bin', 'wb').write(b'\x01' + bind * 2)
    cd = chandata(0x4000, b'hello') + chandata(0x4000, b'x' * 100)
    open('tstream/alloc-chandata.bin', 'wb').write(b'\x87' + cd + bind)
    send = stun(0x0016, struct.pack('!HH', 0x0013, 4) + b'data')
    open('tstream/alloc-send.bin', 'wb').write(b'\x80' + send + cd)
    open('tstream/partial.bin', 'wb').write(b'\x05' + bind + bind[:13])
    open('tstream/bad.bin', 'wb').write(b'\x00' + bind + b'\xff' * 8)

def ng_seeds():
    sep = b'\0NG\0'
    names = ['offer', 'answer', 'query', 'delete']
    msgs = [open('ng/kamailio-%s.bin' % n, 'rb').read() for n in names]
    open('ng/seq-call.bin', 'wb').write(sep.join(msgs))
    ping = open('ng/kamailio-ping.bin', 'rb').read()
    lst = b'l1 d7:command4:liste'
    open('ng/seq-list.bin', 'wb').write(sep.join([msgs[0], lst, ping, ping]))

def benc(x):
    if isinstance(x, int):
        return b'i%de' % x
    if isinstance(x, str):
        x = x.encode()
    if isinstance(x, bytes):
        return b'%d:' % len(x) + x
    if isinstance(x, list):
        return b'l' + b''.join(benc(i) for i in x) + b'e'
    return b'd' + b''.join(benc(k) + benc(v) for k, v in x.items()) + b'e'

def rside(iface, port, sdp, addr, st, mux=0, srtp=0, keys=None):
    s = {'iface': iface, 'port': port, 'sdp': sdp, 'mux': mux,
         'te_pt': 101, 'te_rate': 8000, 'proto': 'RTP/AVP',
         'srtp': srtp, 'opaque': 0, 'cname': '0123456789abcdef',
         'latch': {'state': st, 'addr': addr, 'rtcp': '',
                   'relatches': 0}}
    if srtp:
        s['suite'] = 'AES_CM_128_HMAC_SHA1_80'
    if keys:
        s['keys'] = keys
    return s

def skeys():
    line = '1 AES_CM_128_HMAC_SHA1_80 inline:'
    ix = {'ssrc': 0x11223344, 'roc': 2, 's_l': 30000, 'rtp': 1, 'rtcp': 7}
    return {'rx': line + 'A' * 40, 'life': 0, 'tx': line + 'B' * 40,
            'pad': 0, 'used': 131072 + 30000, 'ixrx': [ix], 'ixtx': [ix]}

def rcall(cid, streams, answered=1, ng=1, created=1796264101):
    return {'v': 1, 'id': cid, 'ng': ng, 'tags': ['gw', 'um'],
            'created': created, 'answered': answered, 'sent': [1, 1],
            'bump': [0, 1], 'sec': [0, 0], 'fb': [0, 0],
            'streams': streams}

def rstate_seeds():
    gw, um = '127.0.0.10:6000', '127.0.0.20:7000'
    def audio(i, a, b):
        return {'index': i, 'type': 'audio', 'sides': [a, b]}
    seeds = {
        'locked': rcall('seed-locked', [audio(0,
            rside('external', 61600, gw, gw, 2),
            rside('internal', 61800, um, '127.0.0.20:7002', 2))]),
        'learning': rcall('seed-learning', [audio(0,
            rside('external', 61602, gw, '', 0),
            rside('internal', 61802, um, um, 1, mux=1)),
            {'index': 1, 'type': 'video', 'sides': [
                rside('external', 61604, '', '', 0),
                rside('internal', 61804, '', '', 0)]}], answered=0),
        'srtp': rcall('seed-srtp', [audio(0,
            rside('external', 61606, gw, '', 0, srtp=1),
            rside('internal', 61806, um, '', 0))]),
        'b2b': rcall('um0123456789abcdef', [audio(0,
            rside('external', 61608, gw, '', 0),
            rside('internal', 61808, um, '', 0))], ng=0),
        'srtp-keys': rcall('seed-srtp-keys', [audio(0,
            rside('external', 61610, gw, gw, 2, srtp=1, keys=skeys()),
            rside('internal', 61810, um, um, 2))]),
        # an odd length: imported as the B2BUA's, re-keyed
        'b2b-rekey': rcall('um0123456789abcde0', [audio(0,
            rside('external', 61612, gw, gw, 2, srtp=1),
            rside('internal', 61812, um, um, 2, srtp=1))], ng=0,
            created=17962641010),
    }
    for name, v in seeds.items():
        open('rstate/%s.bin' % name, 'wb').write(benc(v))

srtp_seeds()
tstream_seeds()
ng_seeds()
rstate_seeds()
