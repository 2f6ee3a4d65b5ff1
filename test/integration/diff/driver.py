#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The partner side of the differential harness (network: vm-diff.sh).

  driver.py run OUTDIR SERIAL CTL MONITOR SCENARIO...
      in the namespace of the VM's TAPs: for each scenario, bring the bond
      up in the guest, run the steps (guest commands over the second serial
      line, frames injected at the partner, links pulled with the qemu
      monitor), record every frame the bond sends on each TAP, and write
      OUTDIR/NAME.txt, the normalised record.
  driver.py diff DIR_KERNEL DIR_USERSPACE SCENARIO...
      compare the two records of each scenario; a line that differs is a
      failure unless an `expect` line of the scenario matches it.

Scenario files (scenarios/*.scn), one directive a line, '#' comments:
  mode MODE                 the bond's mode
  option KEY=VALUE          a bonding option (the model's options:)
  periodic ERE              frames whose description matches are sent on a
                            timer (ARP monitor probes): listed once, then
                            summarised
  timing T1 T2 ...          boundaries (seconds) of the timing classes
  partner lacp [PORT...]    a scripted LACP partner answers on both ports
                            (on the ports listed: the others hear none)
  partner arp               the partner answers ARP requests for 10.88.0.2-9
  partner flood             the partner floods the bond's broadcasts to the
                            other port, as a switch does
  expect+ ERE :: REASON     the same, for lines only bondgend's record has
                            (something the kernel may leave out, bondgend
                            must still send)
  expect ERE :: REASON      an accepted difference: every differing line
                            matching ERE is accepted, and REASON says why
                            the kernel's behaviour is not matched
  steps (each a numbered block of the record):
  udp COUNT D:SP:DP...      the bond sends COUNT datagrams on each flow to
                            10.88.0.D, source port SP, destination port DP
  link PORT on|off          pull or plug a NIC (qemu set_link)
  wait SECONDS              let time pass
  inject PORT KIND ARGS     a frame from the partner on one port:
                            arp-req SRC SPA TPA, arp-reply SRC SPA DST TPA,
                            ping SRC SPA DPA DST (DST a role: NIC0, BCAST..),
                            slow SUBTYPE (a slow-protocol frame to SLOW
                            from PEER2 with that subtype: 3 OAM, 10 ESMC;
                            60 bytes, shorter than an LACPDU),
                            marker (a Marker Information PDU from PEER2,
                            whole: 802.1AX-2014 6.5.3.3),
                            lldp (an LLDP frame from PEER2 to LLDP,
                            01:80:c2:00:00:0e, EtherType 0x88cc)
  partner-set lacp|arp|flood on|off   change the partner in mid-scenario
  partner-set chatter PORT KIND       from now on, a frame from the partner
                            on that port every 100 ms (chatter off: stop):
                            arp-reply (the target 10.88.0.2 answers the
                            bond), arp-other (PEER3 asks for 10.88.0.9),
                            ping (PEER2 pings the bond), arp-otherhost (the
                            target's reply, but to PEER3's MAC)
  guest COMMAND             a command in the guest (guest.sh functions:
                            opt KEY=VALUE, wait_status ERE SECONDS, ...)
  observe COMMAND           the same, and its output goes into the record
  settle SECONDS COMMAND    a guest command, then SECONDS; what the bond
                            sends meanwhile is left out of the record (the
                            host stack's own chatter when a scenario turns
                            IPv6 on: DAD and MLD reports at random delays)
                            (sniff_report: on which device frames came up)
  status                    the bond's status, normalised
Every scenario starts with an `up` step and ends with a status.
"""
import difflib
import fcntl
import os
import re
import select
import socket
import struct
import sys
import threading
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
PORTS = tuple(os.environ.get('BGDIFF_TAPS', 'tap0 tap1').split())

ROLES = {
    '52:54:00:dd:00:10': 'NIC0',
    '52:54:00:dd:00:11': 'NIC1',
    'ff:ff:ff:ff:ff:ff': 'BCAST',
    '01:80:c2:00:00:02': 'SLOW',
    '01:80:c2:00:00:0e': 'LLDP',
    '00:00:00:00:00:00': 'ZERO',
    '02:00:00:00:02:01': 'NEWMAC',  # a MAC a scenario sets on bond0
}
for _n in range(2, 10):
    ROLES['02:00:00:00:01:%02x' % _n] = 'PEER%d' % _n
ROLE_MAC = {v: k for k, v in ROLES.items()}
PARTNER_SYS = '02:00:00:00:01:02'


def mac_str(b):
    return ':'.join('%02x' % x for x in b)


def role(b):
    m = mac_str(b)
    if m in ROLES:
        return ROLES[m]
    if b[0] & 1:
        return 'MCAST(%s)' % m
    return m


def mac_bytes(r):
    return bytes(int(x, 16) for x in ROLE_MAC.get(r, r).split(':'))


def ip_str(b):
    return socket.inet_ntoa(bytes(b))


# ---- frame descriptions ----

LACP_BITS = 'ATGSCDFE'  # activity, short timeout, aggregation, sync,
#                         collecting, distributing, defaulted, expired


def lacp_state(s):
    return ''.join(c if s & (1 << i) else '-' for i, c in enumerate(LACP_BITS))


def lacp_info(b):
    sys_pri, sysmac, key, port_pri, port, st = struct.unpack('!H6sHHHB', b[:15])
    return 'sys=%s/%d key=%d port=%d/%d st=%s' % (role(sysmac), sys_pri, key, port, port_pri, lacp_state(st))


def parse_lacpdu(p):
    """p: the slow-protocol payload (subtype first). Fields as in
    IEEE 802.1AX-2020 6.4.2.3: actor TLV at 2, partner TLV at 22."""
    return {'actor': p[4:19], 'partner': p[24:39]}


def describe(f):
    """(kind, text, seq): kind groups frames; seq is a UDP sequence number."""
    dst, src = role(f[0:6]), role(f[6:12])
    et = struct.unpack('!H', f[12:14])[0]
    p = f[14:]
    head = '%s>%s' % (src, dst)
    vlan = ''
    if et == 0x8100:
        vlan = 'vlan%d ' % (struct.unpack('!H', p[0:2])[0] & 0xfff)
        et = struct.unpack('!H', p[2:4])[0]
        p = p[4:]
    if et == 0x0806 and len(p) >= 28:
        op = struct.unpack('!H', p[6:8])[0]
        sha, spa, tha, tpa = p[8:14], p[14:18], p[18:24], p[24:28]
        kind = {1: 'req', 2: 'reply'}.get(op, 'op%d' % op)
        if spa == tpa:
            kind = 'grat-' + kind
        return ('arp', '%s %sARP %s sha=%s %s>%s tha=%s' % (head, vlan, kind, role(sha), ip_str(spa),
                                                          ip_str(tpa), role(tha)), None)
    if et == 0x8809 and len(p) >= 1:
        if p[0] == 1 and len(p) >= 40:
            d = parse_lacpdu(p)
            return ('lacp', '%s LACPDU actor[%s] partner[%s]' % (head, lacp_info(d['actor']),
                                                                lacp_info(d['partner'])), None)
        if p[0] == 2 and len(p) >= 16 and p[2] in (1, 2):
            # marker PDU (802.1AX-2014 6.5.3.3): information or response
            port, sysmac, tid = struct.unpack('!H6sI', p[4:16])
            return ('slow', '%s marker %s requester=%s/%d tid=%d' % (
                head, 'information' if p[2] == 1 else 'response', role(sysmac), port, tid), None)
        return ('slow', '%s slow-protocol subtype %d' % (head, p[0]), None)
    if et == 0x0800 and len(p) >= 20:
        ihl = (p[0] & 15) * 4
        proto = p[9]
        sip, dip = ip_str(p[12:16]), ip_str(p[16:20])
        l4 = p[ihl:]
        if proto == 17 and len(l4) >= 8:
            sp, dp = struct.unpack('!HH', l4[0:4])
            m = re.match(rb'BGDIFF (\d+) (\d+)', bytes(l4[8:]))
            if m:
                # a frame beyond a 1500-byte MTU says so (one that went
                # whole, not fragmented)
                big = ' len %d' % len(f) if len(f) > 1514 else ''
                return ('udp', '%s %sUDP flow %s %s:%d>%s:%d%s' % (head, vlan, m.group(1).decode(), sip, sp, dip, dp,
                                                                big), int(m.group(2)))
            return ('ip', '%s %sUDP %s:%d>%s:%d' % (head, vlan, sip, sp, dip, dp), None)
        if proto == 1 and len(l4) >= 8:
            t, _, _, ident, seq = struct.unpack('!BBHHH', l4[0:8])
            name = {0: 'echo-reply', 8: 'echo-request'}.get(t, 'type%d' % t)
            return ('icmp', '%s %sICMP %s %s>%s id=%d seq=%d' % (head, vlan, name, sip, dip, ident, seq), None)
        if proto == 2:
            return ('igmp', '%s %s%s' % (head, vlan, describe_igmp(p, ihl, sip, dip)), None)
        return ('ip', '%s %sIPv4 proto %d %s>%s' % (head, vlan, proto, sip, dip), None)
    if et == 0x86dd and len(p) >= 40:
        return describe6(head, vlan, p)
    if et == 0x9000:
        # bond_alb.c:alb_send_lp_vid() (ETH_P_LOOPBACK): TLB/ALB learning
        return ('learning', '%s %slearning frame' % (head, vlan), None)
    return ('other', '%s %sethertype 0x%04x' % (head, vlan, et), None)


def describe_igmp(p, ihl, sip, dip):
    """IGMP (resend_igmp after a failover): the message type, and for a
    report its group or, in IGMPv3, each record's type, group and source
    count (RFC 3376 4.2); TOS, TTL and the Router Alert option too."""
    igmp = p[ihl:]
    hdr = 'tos 0x%02x ttl %d%s' % (p[1], p[8], ' RA' if ihl > 20 and p[20:22] == b'\x94\x04' else '')
    if len(igmp) < 8:
        return 'IGMP %s>%s %s' % (sip, dip, hdr)
    t = igmp[0]
    if t in (0x12, 0x16, 0x17):
        name = {0x12: 'IGMPv1 report', 0x16: 'IGMPv2 report', 0x17: 'IGMPv2 leave'}[t]
        return '%s %s %s>%s %s' % (name, ip_str(igmp[4:8]), sip, dip, hdr)
    if t == 0x22:
        n, recs, i = struct.unpack('!H', igmp[6:8])[0], [], 8
        for _ in range(n):
            if i + 8 > len(igmp):
                break
            rtype, aux, nsrc = igmp[i], igmp[i + 1], struct.unpack('!H', igmp[i + 2:i + 4])[0]
            recs.append('%d:%s/%d' % (rtype, ip_str(igmp[i + 4:i + 8]), nsrc))
            i += 8 + 4 * nsrc + 4 * aux
        return 'IGMPv3 report %s>%s %s %s' % (sip, dip, ','.join(sorted(recs)), hdr)
    return 'IGMP type 0x%02x %s>%s %s' % (t, sip, dip, hdr)


def ip6_str(b):
    return socket.inet_ntop(socket.AF_INET6, bytes(b))


def describe6(head, vlan, p):
    """IPv6: neighbour discovery and MLDv2 reports told in full (the
    peer notification and resend_igmp after a failover), the rest by
    next header. The ND flags: R router, S solicited, O override
    (RFC 4861 4.4)."""
    nh, src, dst, off = p[6], ip6_str(p[8:24]), ip6_str(p[24:40]), 40
    if nh == 0 and len(p) >= 42:          # hop-by-hop options (MLD's Router Alert)
        nh, off = p[40], 40 + (p[41] + 1) * 8
    if nh != 58 or len(p) < off + 4:
        return ('ip6', '%s %sIPv6 nh %d %s>%s' % (head, vlan, nh, src, dst), None)
    icmp = p[off:]
    t = icmp[0]
    if t in (135, 136) and len(icmp) >= 24:
        tgt = ip6_str(icmp[8:24])
        opts, i = [], 24
        while i + 8 <= len(icmp) and icmp[i + 1]:
            if icmp[i] in (1, 2):
                opts.append('%s=%s' % ('sll' if icmp[i] == 1 else 'tll', role(icmp[i + 2:i + 8])))
            i += icmp[i + 1] * 8
        if t == 136:
            flags = ''.join(c for c, bit in (('R', 0x80), ('S', 0x40), ('O', 0x20)) if icmp[4] & bit) or '-'
            return ('nd', ('%s %sND NA %s>%s tgt %s flags %s %s' % (head, vlan, src, dst, tgt, flags,
                                                                  ' '.join(opts))).rstrip(), None)
        return ('nd', ('%s %sND NS %s>%s tgt %s %s' % (head, vlan, src, dst, tgt, ' '.join(opts))).rstrip(), None)
    if t == 143 and len(icmp) >= 8:
        n, recs, i = struct.unpack('!H', icmp[6:8])[0], [], 8
        for _ in range(n):
            if i + 20 > len(icmp):
                break
            rtype, aux, nsrc = icmp[i], icmp[i + 1], struct.unpack('!H', icmp[i + 2:i + 4])[0]
            recs.append('%d:%s' % (rtype, ip6_str(icmp[i + 4:i + 20])))
            i += 20 + 16 * nsrc + 4 * aux
        return ('mld', '%s %sMLDv2 report %s>%s %s' % (head, vlan, src, dst, ','.join(sorted(recs))), None)
    return ('ip6', '%s %sICMPv6 type %d %s>%s' % (head, vlan, t, src, dst), None)


# ---- frames the partner sends ----

def eth(dst, src, et, payload):
    f = mac_bytes(dst) + mac_bytes(src) + struct.pack('!H', et) + payload
    return f + bytes(max(0, 60 - len(f)))


def arp(op, sha, spa, tha, tpa):
    return struct.pack('!HHBBH', 1, 0x0800, 6, 4, op) + mac_bytes(sha) + socket.inet_aton(spa) + \
        mac_bytes(tha) + socket.inet_aton(tpa)


def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ping(src_ip, dst_ip, ident, seq):
    icmp = struct.pack('!BBHHH', 8, 0, 0, ident, seq) + b'BGDIFF-PING'
    icmp = icmp[:2] + struct.pack('!H', csum(icmp)) + icmp[4:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(icmp), 1, 0, 64, 1, 0,
                     socket.inet_aton(src_ip), socket.inet_aton(dst_ip))
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    return ip + icmp


# chatter frames (partner-set chatter): what a backup port may hear
CHATTER_S = 0.1


def chatter_frame(kind):
    if kind == 'arp-reply':
        return eth('NIC0', 'PEER2', 0x0806, arp(2, 'PEER2', '10.88.0.2', 'NIC0', '10.88.0.1'))
    if kind == 'arp-other':
        return eth('BCAST', 'PEER3', 0x0806, arp(1, 'PEER3', '10.88.0.3', 'ZERO', '10.88.0.9'))
    if kind == 'ping':
        return eth('NIC0', 'PEER2', 0x0800, ping('10.88.0.2', '10.88.0.1', 0x4243, 1))
    if kind == 'arp-otherhost':
        return eth('PEER3', 'PEER2', 0x0806, arp(2, 'PEER2', '10.88.0.2', 'NIC0', '10.88.0.1'))
    raise SystemExit('unknown chatter kind %s' % kind)


def marker_info(port_idx):
    """A Marker Information PDU as a partner sends it (802.1AX-2014
    6.5.3.3, 110 bytes after the Ethernet header like an LACPDU):
    requester port PORT+1, system PEER2, a transaction id."""
    p = bytes([2, 1, 1, 16]) + struct.pack('!H6sI', port_idx + 1, mac_bytes('PEER2'), 0x4244 + port_idx)
    p += bytes(2) + bytes([0, 0]) + bytes(90)
    return eth('SLOW', 'PEER2', 0x8809, p)


def lacp_reply(port_idx, their_actor):
    """The scripted partner: actor active, short timeout, aggregatable, in
    sync, collecting and distributing; partner = what the bond said."""
    actor = struct.pack('!H6sHHHB', 32768, mac_bytes('PEER2'), 7, 255, port_idx + 1, 0x3f)
    p = bytes([1, 1, 1, 20]) + actor + bytes(3)
    p += bytes([2, 20]) + bytes(their_actor) + bytes(3)
    p += bytes([3, 16]) + struct.pack('!H', 0) + bytes(12)
    p += bytes([0, 0]) + bytes(50)
    return eth('SLOW', 'PEER2', 0x8809, p)


class Partner:
    def __init__(self):
        self.socks = []
        for name in PORTS:
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
            s.bind((name, 0))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            self.socks.append(s)
        self.frames = []  # (time, port, bytes)
        self.lock = threading.Lock()
        self.lacp = False
        self.lacp_ports = None  # the ports it answers on (None: all)
        self.arp = False    # answer ARP requests for 10.88.0.2-9 as PEERn
        self.flood = False  # send the bond's broadcasts out of the other port
        self.chatter = None  # (port, frame) sent every CHATTER_S
        self.chatter_next = 0.0
        self.stop = False
        self.t = threading.Thread(target=self.loop, daemon=True)
        self.t.start()

    def loop(self):
        while not self.stop:
            r, _, _ = select.select(self.socks, [], [], 0.02)
            ch = self.chatter
            if ch and time.monotonic() >= self.chatter_next:
                self.chatter_next = time.monotonic() + CHATTER_S
                self.send(ch[0], ch[1])
            for s in r:
                f, addr = s.recvfrom(65536)
                now = time.monotonic()
                if addr[2] == PACKET_OUTGOING:
                    continue
                port = self.socks.index(s)
                with self.lock:
                    self.frames.append((now, port, f))
                if self.lacp and f[12:14] == b'\x88\x09' and len(f) > 54 and f[14] == 1 and \
                        (self.lacp_ports is None or port in self.lacp_ports):
                    self.send(port, lacp_reply(port, parse_lacpdu(f[14:])['actor']))
                if self.arp and f[12:14] == b'\x08\x06' and len(f) >= 42 and f[20:22] == b'\x00\x01':
                    tpa = socket.inet_ntoa(f[38:42])
                    peer = 'PEER%s' % tpa.rsplit('.', 1)[1]
                    if tpa.startswith('10.88.0.') and peer in ROLE_MAC:
                        self.send(port, eth(mac_str(f[22:28]), peer, 0x0806,
                                            arp(2, peer, tpa, mac_str(f[22:28]), socket.inet_ntoa(f[28:32]))))
                if self.flood and f[0] & 1 and f[12:14] != b'\x88\x09':
                    # a switch floods broadcast and multicast to its other
                    # ports (slow protocols excepted, 802.1Q-2018 8.6.3)
                    for q in range(len(self.socks)):
                        if q != port:
                            self.send(q, f)

    def send(self, port, frame):
        self.socks[port].send(frame)

    def take(self):
        with self.lock:
            f, self.frames = self.frames, []
        return f


# ---- the guest and qemu ----

class Guest:
    def __init__(self, serial, ctl, monitor):
        self.serial = open(serial, 'rb')
        self.ctl = os.open(ctl, os.O_WRONLY)
        self.mon = os.open(monitor, os.O_WRONLY)
        self.buf = b''
        self.n = 0

    def lines(self):
        self.buf += self.serial.read()
        *done, self.buf = self.buf.split(b'\n')
        return [d.decode(errors='replace').rstrip('\r') for d in done]

    def run(self, cmd, timeout=120):
        self.n += 1
        ident = 'c%d' % self.n
        os.write(self.ctl, ('%s %s\n' % (ident, cmd)).encode())
        out = []
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for ln in self.lines():
                i = ln.find('BGDIFF-')
                if i < 0:
                    continue
                ln = ln[i:]
                if ln.startswith('BGDIFF-OUT %s ' % ident):
                    out.append(ln[len('BGDIFF-OUT %s ' % ident):])
                elif ln.startswith('BGDIFF-ACK %s ' % ident):
                    return int(ln.split('rc=')[1]), out
            time.sleep(0.02)
        return 124, out + ['(no answer from the guest in %d s)' % timeout]

    def monitor(self, cmd):
        os.write(self.mon, (cmd + '\n').encode())


# ---- status in one vocabulary ----

def norm_status(text):
    """The /proc/net/bonding layout (the kernel's, and bondgend's copy of
    it through `bondgen status`) reduced to what both must agree on."""
    out, port, agg_active, ports = [], None, None, []
    section = None
    for ln in text:
        ln = ln.strip()
        if ':' not in ln:
            continue
        k, v = [x.strip() for x in ln.split(':', 1)]
        if k == 'Bonding Mode':
            out.append('mode: %s' % v)
        elif k == 'Currently Active Slave':
            out.append('active: %s' % v)
        elif k == 'Primary Slave':
            out.append('primary: %s' % v)
        elif k == 'Transmit Hash Policy':
            out.append('xmit_hash_policy: %s' % v)
        elif k == 'Slave Interface':
            port = {'name': v}
            ports.append(port)
            section = None
        elif k == 'Aggregator ID' and port is None and section == 'agg':
            agg_active = v
        elif k == 'Active Aggregator Info':
            section = 'agg'
        elif port is not None:
            if k == 'MII Status':
                port['mii'] = v
            elif k == 'Aggregator ID':
                port['agg'] = v
            elif ln.startswith('details actor lacp pdu'):
                section = 'actor'
            elif ln.startswith('details partner lacp pdu'):
                section = 'partner'
            elif k == 'port state' and section in ('actor', 'partner'):
                port[section] = lacp_state(int(v))
            elif k == 'system mac address' and section == 'partner':
                port['partner_sys'] = ROLES.get(v, v)
            elif k == 'port key' and section in ('actor', 'partner'):
                port[section + '_key'] = v
            elif k == 'Partner Mac Address' and False:
                pass
    for p in ports:
        s = 'port %s: mii %s' % (p['name'], p.get('mii', '?'))
        if 'agg' in p:
            s += ' aggregator %s' % ('active' if p['agg'] == agg_active else 'other')
        for k in ('actor', 'actor_key', 'partner', 'partner_key', 'partner_sys'):
            if k in p:
                s += ' %s %s' % (k, p[k])
        out.append(s)
    return out


# ---- scenarios ----

class Scenario:
    def __init__(self, path):
        self.name = os.path.basename(path).rsplit('.', 1)[0]
        self.mode = None
        self.options = []
        self.timing = [1.0, 3.0]
        self.partner = set()
        self.lacp_ports = None
        self.periodic = []
        self.expect = []  # (regex, reason, signs: the record lines it may cover, '-' kernel, '+' bondgend)
        self.steps = []
        for i, ln in enumerate(open(path), 1):
            ln = ln.split('#', 1)[0].strip() if not ln.lstrip().startswith('expect') else ln.strip()
            if not ln:
                continue
            w = ln.split()
            if w[0] == 'mode':
                self.mode = w[1]
            elif w[0] == 'option':
                self.options += w[1:]
            elif w[0] == 'periodic':
                self.periodic.append(re.compile(ln[len('periodic'):].strip()))
            elif w[0] == 'timing':
                self.timing = [float(x) for x in w[1:]]
            elif w[0] == 'partner' and len(w) == 2 and w[1] in ('lacp', 'arp', 'flood'):
                self.partner.add(w[1])
            elif w[0] == 'partner' and len(w) > 2 and w[1] == 'lacp':
                self.partner.add(w[1])
                self.lacp_ports = {int(x) for x in w[2:]}
            elif w[0] in ('expect', 'expect+'):
                rx, _, reason = ln[len(w[0]):].partition('::')
                if not reason.strip():
                    raise SystemExit('%s:%d: expect needs ":: REASON"' % (path, i))
                self.expect.append((re.compile(rx.strip()), reason.strip(), '+' if w[0] == 'expect+' else '+-'))
            elif w[0] in ('udp', 'link', 'wait', 'inject', 'guest', 'observe', 'status', 'partner-set', 'settle'):
                self.steps.append(ln)
            else:
                raise SystemExit('%s:%d: unknown directive %s' % (path, i, w[0]))
        if not self.mode:
            raise SystemExit('%s: no mode' % path)

    def tclass(self, dt):
        for b in self.timing:
            if dt < b:
                return '<%gs' % b
        return '>=%gs' % self.timing[-1]


# Frames a bond repeats on a timer (LACPDUs, the TLB/ALB learning frames):
# how many fall between two steps depends on the timer's phase, not on
# behaviour. Each distinct one is listed where it first appears; repeats
# only make the scenario's "periodic" summary with their interval.
PERIODIC = ('lacp', 'learning')
# Learning frames are only summarised: the kernel sends the first when a
# port is added (bond_alb_init_slave()), bondgend at its first tick, and
# which block that falls in says nothing about the bond's behaviour.
SUMMARY_ONLY = ('learning',)


def render(sc, blocks):
    """blocks: [(step text, t0 or None, frames, extra lines)] -> record
    lines. A block starts at an event (the bond coming up, traffic from
    the bond, a frame injected, a link pulled, a guest command); `wait`
    and `status` steps add to the current block. Frames are listed per
    port in order, with their time since the block's event as a class
    (none for the `up` block: the kernel is configured over netlink,
    bondgend is a process that starts, so the time to come up differs by
    construction); consecutive frames with the same description and class
    are one line 'xN'; a UDP flow's frames are one line with their
    sequence numbers."""
    out = ['scenario %s: mode %s %s' % (sc.name, sc.mode, ' '.join(sc.options))]
    periodic = {}  # (port, text) -> [gaps between consecutive repeats]
    last_of = {}   # (port, kind) -> (text, time) of the last such frame
    for i, (step, t0, frames, extra) in enumerate(blocks):
        tag = '[%d %s]' % (i, step)
        out.append(tag)
        for port in range(len(PORTS)):
            lines = []  # [kind, text, tclass, count]
            udp = {}
            for t, p, f in frames:
                if p != port:
                    continue
                kind, text, seq = describe(f)
                tc = sc.tclass(t - t0) if t0 is not None else '~'
                if kind not in PERIODIC and any(rx.search(text) for rx in sc.periodic):
                    kind = 'periodic'
                if kind in PERIODIC or kind == 'periodic':
                    # a repeat is the same frame as the last of its kind on
                    # this port; a frame that differs is a transition
                    prev = last_of.get((port, kind))
                    last_of[(port, kind)] = (text, t)
                    if prev and prev[0] == text:
                        periodic.setdefault((port, text), []).append(t - prev[1])
                        continue
                    periodic.setdefault((port, text), [])
                    if kind in SUMMARY_ONLY:
                        continue
                if kind == 'udp':
                    if text not in udp:
                        udp[text] = [[], tc]
                        lines.append(['udp', text, None, udp[text]])
                    udp[text][0].append(seq)
                    udp[text][1] = tc
                    continue
                if lines and lines[-1][0] != 'udp' and lines[-1][1] == text and lines[-1][2] == tc:
                    lines[-1][3] += 1
                else:
                    lines.append([kind, text, tc, 1])
            for kind, text, tc, n in lines:
                if kind == 'udp':
                    seqs, last = n
                    # when the last one left depends on the guest's sender
                    out.append('%s port%d %s seq %s' % (tag, port, text, ranges(seqs)))
                else:
                    out.append('%s port%d %s %s%s' % (tag, port, tc, text, '' if n == 1 else ' x%d' % n))
        out += ['%s %s' % (tag, e) for e in extra]
    for (port, text), gaps in sorted(periodic.items()):
        if gaps:
            gaps = sorted(gaps)
            out.append('[periodic] port%d %s repeated, every %s' % (port, text, interval(gaps[len(gaps) // 2])))
        elif text.endswith('learning frame'):
            out.append('[periodic] port%d %s once' % (port, text))
    return out


def interval(g):
    for b, name in ((0.3, '<0.3s'), (2.0, '0.3-2s'), (5.0, '2-5s'), (15.0, '5-15s')):
        if g < b:
            return name
    return '>=15s'


def ranges(seqs):
    r, i = [], 0
    while i < len(seqs):
        j = i
        while j + 1 < len(seqs) and seqs[j + 1] == seqs[j] + 1:
            j += 1
        r.append(str(seqs[i]) if i == j else '%d-%d' % (seqs[i], seqs[j]))
        i = j + 1
    return ','.join(r)


def run_scenario(sc, g, partner, outdir):
    problems = []
    partner.lacp = partner.arp = partner.flood = False
    partner.chatter = None
    g.monitor('set_link n0 on')
    g.monitor('set_link n1 on')
    rc, out = g.run('bond_down')
    if rc:
        problems.append('bond_down: %s' % ' | '.join(out))
    time.sleep(0.3)
    partner.take()
    for k in ('lacp', 'arp', 'flood'):
        setattr(partner, k, k in sc.partner)
    partner.lacp_ports = sc.lacp_ports
    rc, out = g.run('bond_up %s %s' % (sc.mode, ' '.join(sc.options)))
    if rc:
        problems.append('bond_up: %s' % ' | '.join(out))
    blocks = []
    cur = ['up', None, [] if rc == 0 else ['guest: bond_up failed: %s' % ' | '.join(out)]]
    nstatus = 0
    for step in sc.steps + ['wait 1', 'status']:
        w = step.split()
        if w[0] == 'wait':
            time.sleep(float(w[1]))
            continue
        if w[0] == 'status':
            rc, out = g.run('status')
            nstatus += 1
            cur[2] += ['status %d: %s' % (nstatus, x) for x in (norm_status(out) if rc == 0 else
                                                                ['failed: %s' % ' | '.join(out)])]
            continue
        # an event: the previous block's frames end here
        t = time.monotonic()
        blocks.append((cur[0], cur[1], partner.take(), cur[2]))
        cur = [step, t, []]
        if w[0] == 'udp':
            flows = ['10.88.0.%s' % f for f in w[2:]]
            rc, out = g.run('udp %s %d %s' % (w[1], 20000, ' '.join(flows)))
            if rc:
                cur[2].append('guest: udp failed: %s' % ' | '.join(out))
        elif w[0] == 'partner-set' and w[1] == 'chatter':
            partner.chatter = None if w[2] == 'off' else (int(w[2]), chatter_frame(w[3]))
        elif w[0] == 'partner-set':
            setattr(partner, w[1], w[2] == 'on')
        elif w[0] == 'link':
            g.monitor('set_link n%s %s' % (w[1], w[2]))
        elif w[0] == 'inject':
            port, kind, a = int(w[1]), w[2], w[3:]
            if kind == 'arp-req':
                f = eth('BCAST', a[0], 0x0806, arp(1, a[0], a[1], 'ZERO', a[2]))
            elif kind == 'arp-reply':
                f = eth(a[2], a[0], 0x0806, arp(2, a[0], a[1], a[2], a[3]))
            elif kind == 'ping':
                f = eth(a[3], a[0], 0x0800, ping(a[1], a[2], 0x4244, len(blocks)))
            elif kind == 'slow':
                # subtype, then a body of zeros: OAM (IEEE 802.3 57.4) or
                # ESMC (ITU-T G.8264) need nothing more to be told apart
                f = eth('SLOW', 'PEER2', 0x8809, bytes([int(a[0])]) + bytes(59))
            elif kind == 'marker':
                f = marker_info(port)
            elif kind == 'lldp':
                # chassis id, port id, TTL, end (IEEE 802.1AB 8.5): enough
                # to be told apart; nothing in the guest parses it
                tlv = bytes([0x02, 0x07, 4]) + mac_bytes('PEER2') + bytes([0x04, 0x02, 7, 0x31]) + \
                    bytes([0x06, 0x02, 0, 120]) + bytes(2)
                f = eth('LLDP', 'PEER2', 0x88cc, tlv)
            else:
                raise SystemExit('%s: unknown inject kind %s' % (sc.name, kind))
            partner.send(port, f)
        elif w[0] == 'settle':
            rc, out = g.run(step.split(None, 2)[2])
            cur[2].append('guest rc=%d' % rc)
            if rc:
                cur[2] += ['guest: %s' % o for o in out]
            time.sleep(float(w[1]))
            partner.take()
            cur[2].append('frames not recorded')
        elif w[0] in ('guest', 'observe'):
            rc, out = g.run(step[len(w[0]):].strip())
            cur[2].append('guest rc=%d' % rc)
            if rc or w[0] == 'observe':
                cur[2] += ['guest: %s' % o for o in out]
    time.sleep(0.2)
    blocks.append((cur[0], cur[1], partner.take(), cur[2]))
    partner.lacp = partner.arp = partner.flood = False
    partner.lacp_ports = None
    partner.chatter = None
    rec = render(sc, blocks)
    with open(os.path.join(outdir, sc.name + '.txt'), 'w') as fh:
        fh.write('\n'.join(rec) + '\n')
    return problems


def cmd_run(argv):
    outdir, serial, ctl, mon = argv[:4]
    scs = [Scenario(p) for p in argv[4:]]
    partner = Partner()
    g = Guest(serial, ctl, mon)
    # vm-diff.sh runs one driver per VM at the same time: say whose line
    who = os.environ['BGDIFF_RUN'] + ': ' if os.environ.get('BGDIFF_RUN') else ''
    bad = 0
    for sc in scs:
        t = time.monotonic()
        problems = run_scenario(sc, g, partner, outdir)
        print('%sscenario %s: recorded in %.1f s' % (who, sc.name, time.monotonic() - t), flush=True)
        for p in problems:
            print('%s  problem: %s' % (who, p), flush=True)
            bad += 1
    g.run('bond_down')
    # the partner stops before the guest does: its TAPs go down with qemu
    partner.stop = True
    g.run('quit', timeout=10)
    return 1 if bad else 0


def cmd_diff(argv):
    ka, ua = argv[:2]
    scs = [Scenario(p) for p in argv[2:]]
    failed = 0
    for sc in scs:
        try:
            a = open(os.path.join(ka, sc.name + '.txt')).read().splitlines()
            b = open(os.path.join(ua, sc.name + '.txt')).read().splitlines()
        except OSError as e:
            print('FAIL %s: no record: %s' % (sc.name, e))
            failed += 1
            continue
        d = [ln for ln in difflib.unified_diff(a, b, 'kernel', 'bondgend', n=0, lineterm='')
             if ln[:1] in '+-' and not ln.startswith(('---', '+++'))]
        unexplained, used = [], {}
        for ln in d:
            why = next((r for rx, r, signs in sc.expect if ln[0] in signs and rx.search(ln[1:])), None)
            if why:
                used.setdefault(why, []).append(ln)
            else:
                unexplained.append(ln)
        print('---- %s (mode %s): kernel record ----' % (sc.name, sc.mode))
        print('\n'.join('  ' + x for x in a))
        for why, lns in used.items():
            print('  expected difference (%s):' % why)
            print('\n'.join('    ' + x for x in lns))
        for rx, why, _ in sc.expect:
            if why not in used:
                print('  note: expected difference not seen this run: %s' % why)
        if unexplained:
            failed += 1
            print('FAIL %s: %d unexplained difference(s) (- kernel, + bondgend):' % (sc.name, len(unexplained)))
            print('\n'.join('    ' + x for x in unexplained))
        else:
            print('ok %s: %s' % (sc.name, 'same as the kernel' if not d else
                                 'same as the kernel but for %d expected line(s)' % len(d)))
    return 1 if failed else 0


if __name__ == '__main__':
    if len(sys.argv) < 2 or sys.argv[1] not in ('run', 'diff'):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(cmd_run(sys.argv[2:]) if sys.argv[1] == 'run' else cmd_diff(sys.argv[2:]))
