#!/usr/bin/env python3
# Seed corpora for the fuzz targets (README.md), from the repository's own
# examples and test files: mkcorpus.py OUTDIR  ->  OUTDIR/<target>/<seed>.
# Seeds are named by their content hash, so running it again only adds.
import glob
import hashlib
import os
import re
import struct
import sys

top = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(top, 'build-fuzz', 'corpus')
SEP = b'\n---8<---\n'


def put(target, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()[:16]), 'wb') as f:
        f.write(data)


def files(*patterns):
    for p in patterns:
        for f in sorted(glob.glob(os.path.join(top, p), recursive=True)):
            if os.path.isfile(f):
                with open(f, 'rb') as fh:
                    yield f, fh.read()


# canonical YAML: models, expected conversions, good and bad unit files
for _, data in files('examples/**/*.yaml', 'test/unit/yaml/good/*.yaml', 'test/unit/yaml/bad/*.yaml',
                     'test/unit/cli/**/*.yaml', 'test/unit/boot/fixtures/**/*.yaml'):
    put('yaml', data)

# legacy trees: every example root and boot fixture, packed as fuzz-legacy.c reads them
roots = sorted(glob.glob(os.path.join(top, 'examples/*/root')) +
               glob.glob(os.path.join(top, 'test/unit/boot/fixtures/*')))
opts = set()
for root in roots:
    parts = []
    deb = []
    suse = []
    for dirpath, _, names in sorted(os.walk(root)):
        for n in sorted(names):
            path = os.path.join(dirpath, n)
            rel = os.path.relpath(path, root)
            if not os.path.isfile(path):
                continue  # dangling symlinks in the broken fixture
            with open(path, 'rb') as fh:
                data = fh.read()
            if rel.startswith('etc/sysconfig/network-scripts/'):
                name = rel.split('/')[-1]
                put('ifcfg', data)
                for m in re.finditer(rb'BONDING_OPTS=(["\']?)([^"\'\n]*)\1', data):
                    opts.add(m.group(2))
            elif rel == 'etc/modprobe.conf':
                name = 'modprobe.conf'
                for m in re.finditer(rb'^options\s+\S+\s+(.*)$', data, re.M):
                    opts.add(m.group(1))
            elif rel.startswith('etc/modprobe.d/'):
                name = 'modprobe.d/' + n
            elif rel == 'etc/sysconfig/network':
                name = 'network'
                put('ifcfg', data)
            elif rel in ('etc/rc.d/rc.local', 'etc/rc.local'):
                name = 'rc.local'
            elif rel.startswith('etc/network/'):
                deb.append(rel[len('etc/network/'):].encode() + b'\n' + data)
                continue
            elif rel.startswith('etc/sysconfig/network/'):
                suse.append(n.encode() + b'\n' + data)
                continue
            else:
                continue
            parts.append(name.encode() + b'\n' + data)
    if deb:
        put('debian', SEP.join(deb))
    if suse:
        put('suse', SEP.join(suse))
    if parts:
        put('legacy', SEP.join(parts))
        # and each file alone, as the first (ifcfg-bond0) of a tree
        for p in parts:
            if p.startswith(b'ifcfg-bond'):
                put('legacy', p.split(b'\n', 1)[1])

# option strings: from the trees above, and the kernel's spellings
opts |= {b'mode=802.3ad miimon=100 lacp_rate=fast xmit_hash_policy=layer3+4',
         b'mode=1 arp_interval=1000 arp_ip_target=+10.0.0.1,10.0.0.2 arp_validate=all',
         b'mode=balance-alb miimon=100 updelay=200 downdelay=200 primary=eth0 primary_reselect=better',
         b'mode=4 ad_select=count ad_actor_sys_prio=100 ad_actor_system=02:00:00:00:00:01 min_links=2',
         b'mode=active-backup fail_over_mac=follow num_grat_arp=3 use_carrier=1 queue_id=eth0:1',
         b'ns_ip6_target=2001:db8::1 arp_interval=100 mode=1 arp_all_targets=all lp_interval=1',
         b'max_bonds=2 tx_queues=16 all_slaves_active=1 resend_igmp=1 packets_per_slave=0',
         b'mode="802.3ad" lacp_active=off coupled_control=0 peer_notif_delay=100 miimon=50'}
for o in sorted(opts):
    put('options', o)

# boot: generator YAML files and kernel command lines (dracut.cmdline(7) bond= syntax)
for _, data in files('test/unit/boot/fixtures/**/*.yaml', 'examples/models/*.yaml'):
    put('boot', data)
for c in (b'root=/dev/sda1 ro bond=bond0:eth0,eth1:mode=active-backup,miimon=100 ip=bond0:dhcp',
          b'bond ip=10.0.0.2::10.0.0.1:255.255.255.0:host:bond0:none bondgen=off',
          b'bond=bond1:ens1f0,ens1f1:mode=802.3ad,lacp_rate=fast,arp_ip_target=10.0.0.1;10.0.0.2:9000',
          b'quiet "bond=bond0:eth0" ip=[2001:db8::2]::[2001:db8::1]:64::bond0:none bondgen=1'):
    put('boot', c)

# LACPDU and marker frames (802.1AX layout, struct lacpdu in include/net/bond_3ad.h)
def info(tlv, prio, system, key, pprio, port, state):
    return struct.pack('!BBH6sHHHB3x', tlv, 20, prio, system, key, pprio, port, state)


def eth(payload):
    frame = b'\x01\x80\xc2\x00\x00\x02' + b'\x02\x00\x00\x00\x02\x01' + b'\x88\x09' + payload
    return frame + b'\0' * (124 - len(frame))


actor = info(1, 65535, b'\x02\0\0\0\0\x20', 9, 255, 1, 0x3d)
partner = info(2, 65535, b'\x02\0\0\0\0\x10', 9, 255, 2, 0x3f)
lacpdu = eth(b'\x01\x01' + actor + partner + struct.pack('!BBH12x', 3, 16, 0) + b'\0\0' + b'\0' * 50)
marker = eth(b'\x02\x01' + struct.pack('!BBH6sI2x', 1, 16, 1, b'\x02\0\0\0\0\x20', 7) + b'\0\0' + b'\0' * 90)
response = marker[:16] + b'\x02' + marker[17:]
for f in (lacpdu, marker, response, lacpdu[:60], lacpdu + b'\0\0\0\0', b'\x01\x80\xc2\0\0\x02' + b'\0' * 6 + b'\x88\x09\x03'):
    put('lacpdu', f)
# machines: config, then "LACPDU echoing us" on each port, time steps, status
for cfg in (b'\x01\x00\x00\x00', b'\x03\x01\x00\x05', b'\x1e\x02\x03\xff'):
    seq = b''
    for _ in range(4):
        for port in range(3):
            seq += bytes([1, port]) + struct.pack('!H6sHHHB', 65535, b'\x02\0\0\0\0\x30', 9, 255, port + 1, 0x3d)
        seq += bytes([4, 0]) + struct.pack('!H', 600)
    seq += bytes([7, 0, 5, 1]) + b'\x00\x64' + bytes([7, 0, 6, 2, 7, 0, 0, 0, 124]) + lacpdu
    put('lacp', cfg + seq)
