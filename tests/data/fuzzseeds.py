#!/usr/bin/env python3
"""tests/data/fuzzseeds.py: writes the seeds of the fuzz modes that
have no captured vectors: fuzz_srtp's plaintext mode (srtp/plain-*.bin),
fuzz_tstream's streams (tstream/*.bin), fuzz_ng's sequences
(ng/seq-*.bin), fuzz_rstate's stored calls (rstate/*.bin, in the
port ranges of tests/fuzz/fuzz_rstate.c) and fuzz_bimport's B2BUA
calls (bimport/*.bin: relay state then SIP state, docs/ha.md, for the
configuration of tests/fuzz/fuzz_bimport.c) and fuzz_rtnl's rtnetlink
datagrams (rtnl/*.bin: a reader byte, then the datagram). Deterministic;
run from tests/data."""
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

def rcall(cid, streams, answered=1, ng=1, created=1796264101,
          tags=('gw', 'um')):
    return {'v': 1, 'id': cid, 'ng': ng, 'tags': list(tags),
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

GW, UM = '127.0.0.10:5060', '127.0.0.2:5070'
CID = 'um00000000000b1b0a'

def sdp(ip, port, crypto=None):
    s = ('v=0\r\no=- 1 2 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\n'
         't=0 0\r\nm=audio %d RTP/%s 8 101\r\na=rtpmap:8 PCMA/8000\r\n'
         'a=rtpmap:101 telephone-event/8000\r\n'
         % (ip, ip, port, 'SAVP' if crypto else 'AVP'))
    if crypto:
        s += 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:%s\r\n' % crypto
    return s + 'a=sendrecv\r\n'

def invite_head(uri, via, frm, to, callid, contact, cseq=1):
    return ('INVITE %s SIP/2.0\r\nVia: %s\r\nMax-Forwards: 70\r\n'
            'From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %d INVITE\r\n'
            'Contact: <%s>\r\nContent-Type: application/sdp\r\n'
            'Content-Length: 200\r\n\r\n'
            % (uri, via, frm, to, callid, cseq, contact))

def gw_invite():
    return invite_head('sip:8000@127.0.0.1',
                       'SIP/2.0/UDP 127.0.0.10:5060;branch=z9hG4bKgw1',
                       '"Gw" <sip:+15550100@127.0.0.10>;tag=gw-1',
                       '<sip:8000@127.0.0.1>', 'gw-call-1@127.0.0.10',
                       'sip:+15550100@127.0.0.10:5060')

def um_invite():
    return invite_head('sip:8000@127.0.0.2:5070;transport=tcp',
                       'SIP/2.0/TCP 127.0.0.2:5060;branch=z9hG4bKum1',
                       '"Gw" <sip:+15550100@127.0.0.2>;tag=0000000000000b0b',
                       '<sip:8000@127.0.0.2>', 'umleg-1@127.0.0.2',
                       'sip:umedge@127.0.0.2:5060;transport=tcp')

def ok_sent(crypto=None):
    body = sdp('127.0.0.1', 61640, crypto)
    return ('SIP/2.0 200 OK\r\n'
            'Via: SIP/2.0/UDP 127.0.0.10:5060;branch=z9hG4bKgw1\r\n'
            'From: "Gw" <sip:+15550100@127.0.0.10>;tag=gw-1\r\n'
            'To: <sip:8000@127.0.0.1>;tag=00000000000a11ce\r\n'
            'Call-ID: gw-call-1@127.0.0.10\r\nCSeq: 1 INVITE\r\n'
            'Contact: <sip:umedge@127.0.0.1:5060>\r\n'
            'Content-Type: application/sdp\r\n'
            'Content-Length: %d\r\n\r\n%s' % (len(body), body))

def gw_leg(se=False, ok=None, okinv=None, oksrc=GW):
    leg = {'side': 0, 'slot': 0, 'callid': 'gw-call-1@127.0.0.10',
           'linkid': 'gw-call-1@127.0.0.10', 'raddr': GW,
           'ltag': '00000000000a11ce', 'rtag': 'gw-1',
           'target': 'sip:+15550100@127.0.0.10:5060', 'lseq': 7,
           'icseq': 0,
           'dlg': 'To: "Gw" <sip:+15550100@127.0.0.10>;tag=gw-1\r\n'
                  'From: <sip:8000@127.0.0.1>;tag=00000000000a11ce\r\n'
                  'Call-ID: gw-call-1@127.0.0.10\r\n'}
    if se:
        leg.update({'se': 1800, 'se_local': 0, 'se_update': 1})
    if ok is not None:
        leg.update({'ok': ok, 'okinv': okinv, 'oksrc': oksrc})
    return leg

def um_leg(se=False):
    leg = {'side': 1, 'slot': 1, 'callid': 'umleg-1@127.0.0.2',
           'linkid': 'gw-call-1@127.0.0.10', 'raddr': UM,
           'ltag': '0000000000000b0b', 'rtag': 'um-9',
           'target': 'sip:worker@127.0.0.2:5070;transport=tcp',
           'lseq': 2, 'icseq': 1,
           'dlg': 'Route: <sip:127.0.0.2:5070;transport=tcp;lr>\r\n'
                  'To: <sip:8000@127.0.0.2>;tag=um-9\r\n'
                  'From: "Gw" <sip:+15550100@127.0.0.2>;'
                  'tag=0000000000000b0b\r\n'
                  'Call-ID: umleg-1@127.0.0.2\r\n'}
    if se:
        leg.update({'se': 1800, 'se_local': 1, 'se_update': 1})
    return leg

def oa(cid=CID, sec=(0, 0), crypto=(None, None)):
    return {'id': cid, 'if0': 'external', 'if1': 'internal',
            'sec0': sec[0], 'sec1': sec[1], 'first': 0,
            'o0': '- 1 1 IN IP4 127.0.0.10', 'o1': '- 7 7 IN IP4 127.0.0.2',
            'sent0': sdp('127.0.0.1', 61640, crypto[0]),
            'sent1': sdp('127.0.0.2', 61840, crypto[1])}

def sstate(rest, aside=0, media=(1, 1), await_=0, o=None):
    d = {'v': 1, 'aside': aside, 'maxfwd': 69, 'media0': media[0],
         'media1': media[1], 'info_dtmf': 0, 't_start': 1796264101000,
         't_answer': 1796264102000, 'await': await_, 'user': '8000',
         'from_name': 'Gw', 'from_user': '+15550100', 'to_user': '8000',
         'to_name': '', 'gwset': 'pstn' if aside else '',
         'chain': 'tcp:' + UM, 'oa': o or oa()}
    d.update(rest)
    return d

def brelay(srtp=0, keys=None, cid=CID):
    audio = {'index': 0, 'type': 'audio', 'sides': [
        rside('external', 61640, GW.replace('5060', '6000'),
              '127.0.0.10:6000', 2, srtp=srtp, keys=keys),
        rside('internal', 61840, '127.0.0.2:7000', '127.0.0.2:7000', 2,
              srtp=srtp, keys=keys)]}
    return rcall(cid, [audio], ng=0, tags=('ext', 'int'))

def setup_leg(callid, tp, addr, invite=None):
    d = {'callid': callid, 'tp': tp, 'addr': addr}
    if invite is not None:
        d['invite'] = invite
    return d

def bimport_seeds():
    legs = [gw_leg(), um_leg()]
    setup = {'caller': setup_leg('gw-call-1@127.0.0.10', 'UDP', GW,
                                 gw_invite()),
             'callee': setup_leg('umleg-1@127.0.0.2', 'TCP', UM,
                                 um_invite())}
    setup_tcp = {'caller': setup_leg('gw-call-2@127.0.0.10', 'TCP', GW),
                 'callee': setup_leg('umleg-2@127.0.0.2', 'TLS', UM,
                                     um_invite())}
    key = 'WnD7c1ksDGs+dIefCen2vCkBTe3+bXqrAmGvMQZx'
    srtp_oa = oa(sec=(3, 3))
    keys_oa = oa(sec=(3, 3), crypto=(key, key))
    bad_inv = 'INVITE\r\nnot a request at all\r\n\r\n'
    seeds = {
        'confirmed': (brelay(), sstate({'legs': legs})),
        'confirmed-stimer': (brelay(), sstate(
            {'legs': [gw_leg(se=True), um_leg(se=True)]})),
        'confirmed-um-out': (brelay(), sstate(
            {'legs': [gw_leg(), um_leg()]}, aside=1)),
        'setup': (None, sstate({'setup': setup})),
        'setup-relay': (brelay(), sstate({'setup': setup})),
        'setup-stream': (None, sstate({'setup': setup_tcp})),
        'setup-bad-invite': (None, sstate({'setup': {
            'caller': setup_leg('gw-call-3@127.0.0.10', 'UDP', GW, bad_inv),
            'callee': setup_leg('umleg-3@127.0.0.2', 'TCP', UM,
                                bad_inv)}})),
        'await': (brelay(), sstate({'legs': [
            gw_leg(ok=ok_sent(), okinv=gw_invite()), um_leg()]},
            await_=1)),
        'await-bad-ok': (brelay(), sstate({'legs': [
            gw_leg(ok='SIP/2.0 2\r\ngarbage', okinv=gw_invite()),
            um_leg()]}, await_=1)),
        'await-bad-okinv': (brelay(), sstate({'legs': [
            gw_leg(ok=ok_sent(), okinv=bad_inv), um_leg()]}, await_=1)),
        'await-okinv-response': (brelay(), sstate({'legs': [
            gw_leg(ok=ok_sent(), okinv=ok_sent()), um_leg()]}, await_=1)),
        'await-bad-oksrc': (brelay(), sstate({'legs': [
            gw_leg(ok=ok_sent(), okinv=gw_invite(), oksrc='nowhere'),
            um_leg()]}, await_=1)),
        'rekey': (brelay(srtp=1), sstate({'legs': legs}, media=(3, 3),
                                         o=srtp_oa)),
        'rekey-keys': (brelay(srtp=1, keys=skeys()), sstate(
            {'legs': legs}, media=(3, 3), o=keys_oa)),
        'await-keys': (brelay(srtp=1, keys=skeys()), sstate({'legs': [
            gw_leg(ok=ok_sent(key), okinv=gw_invite()), um_leg()]},
            media=(3, 3), await_=1, o=keys_oa)),
    }
    for name, (r, sip) in seeds.items():
        out = benc(r) if r else b'0:'
        open('bimport/%s.bin' % name, 'wb').write(out + benc(sip))

def nlmsg(mtype, body, seq=7):
    body += b'\0' * (-len(body) % 4)
    return struct.pack('=IHHII', 16 + len(body), mtype, 0, seq, 0) + body

def rta(atype, data):
    a = struct.pack('=HH', 4 + len(data), atype) + data
    return a + b'\0' * (-len(a) % 4)

def rtmsg(family, rtype):
    # family, dst_len, src_len, tos, table, protocol, scope, type, flags
    return struct.pack('=BBBBBBBBI', family, 32, 32, 0, 254, 0, 0, rtype, 0)

def rtnl_seeds():
    oif = rta(4, struct.pack('=I', 5))                  # RTA_OIF
    gw4 = rta(5, bytes([192, 0, 2, 77]))                 # RTA_GATEWAY
    gw6 = rta(5, bytes.fromhex('20010db8' + '00' * 11 + '4d'))
    via = rta(18, struct.pack('=H', 10) + b'\xfe\x80' + b'\0' * 14)
    seeds = {
        'route-gw4': b'\1' + nlmsg(24, rtmsg(2, 1) + oif + gw4),
        'route-link4': b'\1' + nlmsg(24, rtmsg(2, 1) + oif),
        'route-gw6': b'\2' + nlmsg(24, rtmsg(10, 1) + oif + gw6),
        'route-via': b'\1' + nlmsg(24, rtmsg(2, 1) + via + oif),
        'route-unreach': b'\1' + nlmsg(24, rtmsg(2, 7)),
        'error': b'\1' + nlmsg(2, struct.pack('=i', -101) + b'\0' * 16),
        'other-seq': b'\1' + nlmsg(24, rtmsg(2, 1) + oif, seq=6) +
                     nlmsg(24, rtmsg(2, 1) + oif + gw4),
        'watch': b'\0' + nlmsg(24, rtmsg(2, 1), 0) +
                 nlmsg(16, b'\0' * 16, 0) + nlmsg(20, b'\0' * 8, 0),
    }
    for name, b in seeds.items():
        open('rtnl/%s.bin' % name, 'wb').write(b)

srtp_seeds()
tstream_seeds()
ng_seeds()
rstate_seeds()
bimport_seeds()
rtnl_seeds()
